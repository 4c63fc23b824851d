using AdminPortal.Web.Api;

namespace AdminPortal.UnitTests.Validation;

/// <summary>A 201's Location is a valid header whatever the name holds: building it cannot fail after the change is committed.</summary>
public sealed class LocationsTests
{
    [Theory]
    [InlineData("alice", "/api/v1/vpn-users/alice")]
    [InlineData("a.b_c-d@e", "/api/v1/vpn-users/a.b_c-d%40e")]
    [InlineData("o.b+tag@example.test", "/api/v1/vpn-users/o.b%2Btag%40example.test")]
    [InlineData("x@example.test\n", "/api/v1/vpn-users/x%40example.test%0A")]
    [InlineData("../../etc/passwd", "/api/v1/vpn-users/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("Ünï 証", "/api/v1/vpn-users/%C3%9Cn%C3%AF%20%E8%A8%BC")]
    public void A_name_is_one_percent_encoded_path_segment(string name, string location) =>
        Assert.Equal(location, Locations.Of("/api/v1/vpn-users", name));

    [Theory]
    [InlineData("a\r\nSet-Cookie: x=y")]
    [InlineData("a\0b")]
    [InlineData("\u2028\u202e")]
    [InlineData("a\ud800b")]
    public void Any_name_gives_a_header_of_visible_ascii(string name)
    {
        var location = Locations.Of("/api/v1/mailboxes", name);
        Assert.All(location, c => Assert.InRange(c, '!', '~'));
        Assert.True(Uri.TryCreate(location, UriKind.Relative, out _), location);
    }
}
