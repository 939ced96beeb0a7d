using System.Reflection;
using Monitor.Storage;
using Xunit.Sdk;

namespace Monitor.Tests.Support;

/// <summary>
/// Runs a theory once on each ledger dialect, SQLite and PostgreSQL: the test's first parameter is the
/// <see cref="SqlDialect"/>, and any values given here follow it (<c>[BothDialects("Month")]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class BothDialectsAttribute(params object?[] values) : DataAttribute
{
    public override IEnumerable<object?[]> GetData(MethodInfo testMethod) =>
        [[SqlDialect.Sqlite, .. values], [SqlDialect.Postgres, .. values]];
}
