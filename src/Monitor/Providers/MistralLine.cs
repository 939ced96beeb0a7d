namespace Monitor.Providers;

/// <summary>
/// One row of Mistral's usage response, flattened: where it stood (container path, model key, group) and what it
/// says. Two lines that differ only in <see cref="Value"/> and <see cref="ValuePaid"/> count the same thing, which is
/// how the organisation total is compared with the sum of the workspaces (<see cref="MistralUsageLines.Outside"/>).
/// </summary>
internal sealed record MistralLine
{
    /// <summary>The container's path: <c>completion</c>, <c>libraries_api.pages</c>, <c>fine_tuning.training</c>, ...</summary>
    public required string Container { get; init; }

    /// <summary>The month the response was asked for (lines without a day are counted in it).</summary>
    public required DateTimeOffset Month { get; init; }

    /// <summary>The model map key as sent: a model id, or <c>alias::dated-model</c>.</summary>
    public required string ModelKey { get; init; }

    /// <summary>The group key of the model's map (<c>input</c>, <c>cached</c>, <c>output</c>, ...).</summary>
    public required string Group { get; init; }

    public string? EventType { get; init; }

    /// <summary>The row's <c>billing_metric</c> (the dated model id for token rows): with the group, the price's key.</summary>
    public string? Metric { get; init; }

    public string? BillingGroup { get; init; }
    public string? Zone { get; init; }
    public string? Tier { get; init; }

    /// <summary>The UTC day of the row's timestamp; null for a row without one (counted month to date).</summary>
    public DateTimeOffset? Day { get; init; }

    /// <summary>All units used, free ones included.</summary>
    public decimal Value { get; init; }

    /// <summary>The billable units: the money is these times the unit price.</summary>
    public decimal ValuePaid { get; init; }

    /// <summary>The rows' path in the response, for drift: <c>completion.models.{key}.input[]</c>.</summary>
    public required string Path { get; init; }

    /// <summary>What the line counts, without its quantities (the identity compared across workspaces).</summary>
    public MistralLine Identity => this with { Value = 0, ValuePaid = 0 };
}
