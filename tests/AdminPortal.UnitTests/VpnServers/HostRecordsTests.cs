using AdminPortal.Web.VpnServers;

namespace AdminPortal.UnitTests.VpnServers;

/// <summary>The decisions the portal makes on a VPN host's records: which CRL is newer, which publish wins, which ccd pushes stay.</summary>
public sealed class HostRecordsTests
{
    private const string Root = "00aa11bb22cc33dd";
    private const string Issuing = "99ee88ff77aa66bb";
    private const string CrlSha = "5e1f";

    private static CrlStamp Stamp(params (string, long)[] crls) => new(crls);

    private static HostRecords Host(string record, string crlSha = CrlSha, long generation = 7, string extra = "") => HostRecords.Parse(
        $"token g{generation}:c{crlSha}:rX:jY\ngeneration {generation}\ncrl-sha256 {crlSha}\n" +
        string.Concat(record.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"record {l}\n")) + extra);

    public static TheoryData<string, string, CrlStamp?, CrlOrder> Orders => new()
    {
        { "a higher number", $"{Root} 5\nsha256 {CrlSha}", Stamp((Root, 6)), CrlOrder.Newer },
        { "the same number", $"{Root} 5\nsha256 {CrlSha}", Stamp((Root, 5)), CrlOrder.Same },
        { "a lower number", $"{Root} 5\nsha256 {CrlSha}", Stamp((Root, 4)), CrlOrder.Older },
        { "another issuer", $"{Root} 5\nsha256 {CrlSha}", Stamp((Issuing, 1)), CrlOrder.Newer },
        { "a two-tier CRL over a one-tier one", $"{Root} 5\nsha256 {CrlSha}", Stamp((Root, 5), (Issuing, 1)), CrlOrder.Newer },
        { "one CRL of a two-tier pair lower", $"{Root} 5\n{Issuing} 9\nsha256 {CrlSha}", Stamp((Root, 6), (Issuing, 8)), CrlOrder.Older },
        { "an unknown candidate over a known CRL", $"{Root} 5\nsha256 {CrlSha}", null, CrlOrder.Older },
        { "anything over a record sealed for another crl.pem", $"{Root} 5\nsha256 0ther", Stamp((Root, 1)), CrlOrder.Newer },
        { "anything over a record without a seal", $"{Root} 5", Stamp((Root, 1)), CrlOrder.Newer },
        { "anything over no record", "", Stamp((Root, 1)), CrlOrder.Newer },
        { "a known CRL over a sealed record of an unknown one", $"sha256 {CrlSha}", Stamp((Root, 1)), CrlOrder.Newer },
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public void A_candidate_crl_is_ordered_against_the_installed_record(string why, string record, CrlStamp? candidate, CrlOrder expected)
    {
        _ = why;
        Assert.Equal(expected, Host(record).Order(candidate));
    }

    [Fact]
    public void Without_a_crl_pem_on_the_host_any_candidate_is_newer()
    {
        Assert.Equal(CrlOrder.Newer, Host($"{Root} 5\nsha256 none", crlSha: "none").Order(Stamp((Root, 1))));
    }

    [Theory]
    [InlineData(7, 7, false)]
    [InlineData(6, 7, false)]
    [InlineData(8, 7, true)]
    [InlineData(0, 1, false)]
    public void A_publish_is_superseded_only_by_a_higher_installed_generation(long installed, long ours, bool superseded)
    {
        var why = Host("", generation: installed).Supersedes(ours);
        Assert.Equal(superseded, why is not null);
        if (superseded) Assert.Equal($"a newer publish (generation {installed}) is already installed; nothing changed (this publish is generation {ours})", why);
    }

    [Fact]
    public void The_ccd_files_pushed_after_a_publish_rendered_are_those_with_a_higher_push_generation()
    {
        var host = Host("", extra: "ccd 5 alice\nccd 9 bob\nccd 12 carol\nccd 3 bob\n");
        Assert.Equal(9, host.ClientConfigGenerations["bob"]);
        Assert.Equal(["bob", "carol"], host.PushedAfter(8));
        Assert.Empty(host.PushedAfter(12));
        Assert.Equal("5 alice\n9 bob\n12 carol\n14 dave\n", host.JournalWith("dave", 14));
        Assert.Equal("13 alice\n9 bob\n12 carol\n", host.JournalWith("alice", 13));
    }

    [Fact]
    public void The_previous_record_and_the_installed_numbers_are_read()
    {
        var host = Host($"{Root} 5\n{Issuing} 2\nsha256 {CrlSha}", extra: $"previous {Root} 4\nprevious sha256 abc\n");
        Assert.Equal("5,2", host.InstalledNumbers);
        Assert.Equal(CrlOrder.Older, host.Order(host.Previous!.Stamp));
        Assert.Equal("unknown", Host("").InstalledNumbers);
    }

    [Theory]
    [InlineData("generation 7\n")]
    [InlineData("token g1:cx:rx:jx\ngeneration seven\n")]
    public void Records_without_a_token_or_with_a_bad_generation_are_refused(string text)
    {
        Assert.Throws<FormatException>(() => HostRecords.Parse(text));
    }

    [Fact]
    public void A_record_lists_the_numbers_then_the_seal()
    {
        Assert.Equal($"{Root} 5\n{Issuing} 2\nsha256 {CrlSha}\n", CrlStamp.Record(Stamp((Root, 5), (Issuing, 2)), CrlSha));
        Assert.Equal($"sha256 {CrlSha}\n", CrlStamp.Record(null, CrlSha));
    }
}
