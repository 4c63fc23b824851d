using AdminPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AdminPortal.Tests.Bundles;

/// <summary>A portal whose clock the test moves (link expiry), with a CA and a "corp" profile made once.</summary>
public sealed class ClockedPortal : PortalApp
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Bundles:HelpdeskContact", "the Service Desk, +41 44 000 00 00");
        builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}
