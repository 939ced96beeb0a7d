namespace Monitor;

/// <summary>
/// Input the user can fix: a bad file, line or field, a bad option, a bad configuration value. The CLI prints the
/// message on one line and exits with 2; the message names what is wrong and where.
/// </summary>
public sealed class BadInputException(string message, Exception? inner = null) : Exception(message, inner);
