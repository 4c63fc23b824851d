using AdminPortal.Web.Errors;
using AdminPortal.Web.VpnServers;

namespace AdminPortal.UnitTests.VpnServers;

/// <summary>Extra server.conf directives: tuning from the allow-list only, one directive per line, plain arguments.</summary>
public sealed class ServerDirectiveListTests
{
    [Fact]
    public void No_list_is_no_directives() => Assert.Empty(ServerDirectiveList.Validate(null).Value!);

    [Fact]
    public void Allowed_directives_are_kept_with_their_spacing_normalized() =>
        Assert.Equal(["verb 4", "max-clients 200", "explicit-exit-notify 1", "mute-replay-warnings"],
            ServerDirectiveList.Validate(["verb 4", "  max-clients   200 ", "explicit-exit-notify 1", "mute-replay-warnings"]).Value!);

    [Theory]
    [InlineData("script-security 2", "not an allowed server directive")]
    [InlineData("up /tmp/evil.sh", "not an allowed server directive")]
    [InlineData("management 0.0.0.0 7505", "not an allowed server directive")]
    [InlineData("crl-verify /dev/null", "not an allowed server directive")]
    [InlineData("", "one line")]
    [InlineData("   ", "one line")]
    [InlineData("verb 4\nscript-security 2", "one line")]
    [InlineData("verb\t4", "one line")]
    [InlineData("verb 4 5 6 7", "at most 3")]
    [InlineData("verb $(id)", "at most 3")]
    [InlineData("verb 'x'", "at most 3")]
    [InlineData("tun-mtu 1500;reboot", "at most 3")]
    public void A_directive_outside_the_rules_is_refused_with_a_reason(string line, string reason)
    {
        var result = ServerDirectiveList.Validate([line]);
        var error = Assert.IsType<InvalidInput>(result.Error);
        Assert.Equal("serverDirectives", error.Field);
        Assert.Contains(reason, error.Detail);
    }

    [Fact]
    public void An_argument_may_be_at_most_64_characters() =>
        Assert.False(ServerDirectiveList.Validate([$"verb {new string('1', 65)}"]).Ok);

    [Fact]
    public void At_most_32_directives() =>
        Assert.Contains("At most 32", ServerDirectiveList.Validate([.. Enumerable.Repeat("verb 3", 33)]).Error!.Detail);
}
