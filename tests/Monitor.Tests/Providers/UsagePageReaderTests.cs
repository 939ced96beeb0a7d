using System.Text;
using Monitor.Providers;

namespace Monitor.Tests.Providers;

/// <summary>The one-pass reader of OpenAI's usage pages: pooled ids (compared by reference downstream) and drift instead of failure.</summary>
public sealed class UsagePageReaderTests
{
    [Fact]
    public void Read_SameIdPlainAndEscaped_IsOneInstance()
    {
        var rows = new List<UsagePageReader.Row>();
        var page = Encoding.UTF8.GetBytes("""
            {"object":"page","data":[{"object":"bucket","start_time":1795168800,"end_time":1795172400,"results":[
              {"input_tokens":1,"output_tokens":1,"num_model_requests":1,"project_id":"proj_alpha","model":"gpt-4o"},
              {"input_tokens":2,"output_tokens":2,"num_model_requests":1,"project_id":"proj\u005falpha","model":"gpt-4o"}]}],
             "has_more":false,"next_page":null}
            """);

        var result = new UsagePageReader().Read(page, (_, r) => rows.Add(r), (_, _) => { });

        Assert.Equal((false, true, 1), (result.HasMore, result.HasData, result.Buckets));
        Assert.Equal("proj_alpha", rows[1].ProjectId);
        Assert.Same(rows[0].ProjectId, rows[1].ProjectId);
        Assert.Same(rows[0].Model, rows[1].Model);
    }

    [Fact]
    public void Read_ValueOfTheWrongType_IsReportedWithItsPathAndReadAsAbsent_TheRestStillReads()
    {
        var rows = new List<UsagePageReader.Row>();
        var drift = new List<(string Path, string Problem)>();
        var page = Encoding.UTF8.GetBytes("""
            {"data":[{"start_time":1795168800,"results":[
              {"images":{"count":10},"num_model_requests":"7","model":42,"seconds":1.5}]}],"has_more":false}
            """);

        new UsagePageReader().Read(page, (_, r) => rows.Add(r), (path, problem) => drift.Add((path, problem)));

        var row = Assert.Single(rows);
        Assert.Equal((null, 7L, null, 2L), (row.Images, row.NumModelRequests, row.Model, row.Seconds));
        Assert.Equal(
            [
                ("data[].results[].images", "expected a number, got an object (read as absent)"),
                ("data[].results[].model", "expected a string, got a number (read as absent)"),
                ("data[].results[].seconds", "expected a whole number, got 1.5 (rounded)"),
            ],
            drift);
    }
}
