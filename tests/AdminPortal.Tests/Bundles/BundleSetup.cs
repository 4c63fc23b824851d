using System.Net;
using System.Net.Http.Json;

namespace AdminPortal.Tests.Bundles;

public static class BundleSetup
{
    /// <summary>Creates the CA and the given profile through the API, once per portal (the first test of a class does it).</summary>
    public static async Task EnsureCaAndProfileAsync(HttpClient admin, string caName, object profile)
    {
        if ((await admin.GetAsync("/api/v1/ca")).StatusCode != HttpStatusCode.NotFound) return;
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = caName })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-profiles", profile)).StatusCode);
    }
}
