using Monitor.Ledger.Focus;

namespace Monitor.Tests.Ledger.Focus;

/// <summary>
/// The column rules of FOCUS 1.4, Cost and Usage dataset, for the columns <c>export focus</c> writes. Sources:
/// the specification at https://focus.finops.org/focus-specification/ (v1.4; each rule names its section), whose
/// text is the FOCUS_Spec repository's specification/datasets/cost_and_usage/dataset.md (Columns table: feature level,
/// allows nulls, data type; Requirements: presence) and columns/*.md (per-column requirements and allowed values).
/// CredentialId and the SkuPriceDetails AI properties are from the working draft (introduced in 1.5); the export repeats
/// those properties in custom columns (<see cref="PropertyColumns"/>), whose rules are the properties' own.
/// "Required" is Mandatory, or Conditional/Recommended whose condition holds for LLM API usage (usage measurement,
/// unit pricing, list unit prices, sub accounts, tags). "Nullable" is the spec's Allows Nulls narrowed by the column's
/// own rules for ChargeCategory "Usage" with no ChargeClass (e.g. ConsumedQuantity MUST NOT be null then).
/// </summary>
internal static class FocusSpecRules
{
    public const string Spec = "https://focus.finops.org/focus-specification/ (FOCUS 1.4) ";
    public const string DraftSkuPriceDetails = "FOCUS working draft, Cost and Usage › Columns › SKU Price Details › FOCUS-Defined Properties (specification/datasets/cost_and_usage/columns/skupricedetails.md) ";

    public static readonly IReadOnlyList<string> ServiceCategories =
    [
        "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases", "Developer Tools", "Multicloud",
        "Identity", "Integration", "Internet of Things", "Management and Governance", "Media", "Migration", "Mobile", "Networking",
        "Security", "Storage", "Web", "Other",
    ];

    public static readonly IReadOnlyList<FocusSpecRule> Columns =
    [
        new("BilledCost", FocusDataType.Decimal, true, false, Spec + "Cost and Usage › Columns › Billed Cost"),
        new("BillingAccountId", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Billing Account ID"),
        new("BillingAccountName", FocusDataType.String, true, true, Spec + "Cost and Usage › Columns › Billing Account Name"),
        new("BillingCurrency", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Billing Currency; Attributes › Currency Format (ISO 4217)"),
        new("BillingPeriodEnd", FocusDataType.DateTime, true, false, Spec + "Cost and Usage › Columns › Billing Period End (exclusive)"),
        new("BillingPeriodStart", FocusDataType.DateTime, true, false, Spec + "Cost and Usage › Columns › Billing Period Start (inclusive)"),
        new("ChargeCategory", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Charge Category", ["Usage", "Purchase", "Tax", "Credit", "Adjustment"]),
        new("ChargeClass", FocusDataType.String, true, true, Spec + "Cost and Usage › Columns › Charge Class (null unless a correction)", ["Correction"]),
        new("ChargeDescription", FocusDataType.String, true, true, Spec + "Cost and Usage › Columns › Charge Description"),
        new("ChargeFrequency", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Charge Frequency (Recommended)", ["One-Time", "Recurring", "Usage-Based"]),
        new("ChargePeriodEnd", FocusDataType.DateTime, true, false, Spec + "Cost and Usage › Columns › Charge Period End (exclusive)"),
        new("ChargePeriodStart", FocusDataType.DateTime, true, false, Spec + "Cost and Usage › Columns › Charge Period Start (inclusive)"),
        new("ConsumedQuantity", FocusDataType.Decimal, true, false, Spec + "Cost and Usage › Columns › Consumed Quantity (not null for Usage)"),
        new("ConsumedUnit", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Consumed Unit (not null for Usage); Attributes › Unit Format"),
        new("ContractedCost", FocusDataType.Decimal, true, false, Spec + "Cost and Usage › Columns › Contracted Cost"),
        new("CredentialId", FocusDataType.String, true, true, "FOCUS working draft, Cost and Usage › Columns › Credential ID (specification/datasets/cost_and_usage/columns/credentialid.md)"),
        new("EffectiveCost", FocusDataType.Decimal, true, false, Spec + "Cost and Usage › Columns › Effective Cost"),
        new("HostProviderName", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Host Provider Name"),
        new("InvoiceIssuerName", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Invoice Issuer Name"),
        new("ListCost", FocusDataType.Decimal, true, false, Spec + "Cost and Usage › Columns › List Cost"),
        new("ListUnitPrice", FocusDataType.Decimal, true, true, Spec + "Cost and Usage › Columns › List Unit Price"),
        new("PricingQuantity", FocusDataType.Decimal, true, false, Spec + "Cost and Usage › Columns › Pricing Quantity (not null for Usage)"),
        new("PricingUnit", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Pricing Unit (not null for Usage); Attributes › Unit Format"),
        new("ServiceCategory", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Service Category", ServiceCategories),
        new("ServiceName", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Service Name"),
        new("ServiceProviderName", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Service Provider Name"),
        new("ServiceSubcategory", FocusDataType.String, true, false, Spec + "Cost and Usage › Columns › Service Subcategory (AI and Machine Learning values)",
            ["AI Platforms", "Bots", "Generative AI", "Machine Learning", "Natural Language Processing", "Other (AI and Machine Learning)"]),
        new("SkuId", FocusDataType.String, true, true, Spec + "Cost and Usage › Columns › SKU ID"),
        new("SkuMeter", FocusDataType.String, true, true, Spec + "Cost and Usage › Columns › SKU Meter"),
        new("SkuPriceDetails", FocusDataType.Json, true, true, Spec + "Cost and Usage › Columns › SKU Price Details; Attributes › Key-Value Format"),
        new("SkuPriceId", FocusDataType.String, true, true, Spec + "Cost and Usage › Columns › SKU Price ID"),
        new("SubAccountId", FocusDataType.String, true, true, Spec + "Cost and Usage › Columns › Sub Account ID"),
        new("SubAccountName", FocusDataType.String, true, true, Spec + "Cost and Usage › Columns › Sub Account Name"),
        new("Tags", FocusDataType.Json, true, true, Spec + "Cost and Usage › Columns › Tags; Attributes › Key-Value Format"),
    ];

    /// <summary>SkuPriceDetails properties the working draft defines, with their allowed values (null: any string).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>?> SkuPriceProperties = new Dictionary<string, IReadOnlyList<string>?>
    {
        ["ModelId"] = null,
        ["TokenDirection"] = ["Input", "Output"],
        ["TokenCacheAction"] = ["Uncached", "Read", "Write", "Other"],
    };

    /// <summary>
    /// The custom columns that repeat a draft SkuPriceDetails property flat: <c>x_</c> and the property's key, a string
    /// with the property's allowed values, null where the row's SkuPriceDetails lacks the property. FOCUS requires none
    /// of them; the row rules check each against the property.
    /// </summary>
    public static readonly IReadOnlyList<FocusSpecRule> PropertyColumns =
    [
        .. SkuPriceProperties.Select(p => new FocusSpecRule("x_" + p.Key, FocusDataType.String, false, true, DraftSkuPriceDetails + p.Key + ", as a custom column", p.Value)),
    ];
}
