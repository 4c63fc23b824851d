using AdminPortal.Data.Audit;
using AdminPortal.Testing;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Pki;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AdminPortal.Tests.Pki;

/// <summary>
/// Two portal instances on one database, sharing a clock the test moves: the CRL is regenerated once each
/// time half its lifetime has passed, by one instance, with increasing cRLNumbers.
/// </summary>
public sealed class CrlRefreshTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly Instance _first;
    private readonly Instance _second;

    public CrlRefreshTests()
    {
        _first = new Instance(_clock);
        _second = new Instance(_clock, _first.Database, _first.DataDirectory);
    }

    public void Dispose()
    {
        _second.Dispose();
        _first.Dispose();
    }

    [Fact]
    public async Task Two_instances_refresh_the_crl_once_per_half_lifetime_with_increasing_numbers()
    {
        var created = await _first.Service<CaService>().CreateAsync("Refresh-CA", null, null, AuditActor.Cli("test"), default);
        Assert.True(created.Ok, created.Error?.Detail);
        Assert.Equal(1, created.Value!.Crl.Number);
        _ = _second.Services; // both instances run their jobs from now on

        for (var period = 1; period <= 3; period++)
        {
            _clock.Advance(TimeSpan.FromDays(16)); // past half of the 30-day lifetime
            var expected = period + 1;
            Assert.Equal(expected, (await Eventually.Async(CaAsync, c => c.CrlNumber >= expected, $"CRL number {expected}")).CrlNumber);
        }

        // Nothing more may happen in a period: shown by one more period, whose refresh must come after any duplicate of
        // the earlier ones and take the very next number.
        _clock.Advance(TimeSpan.FromDays(16));
        var ca = await Eventually.Async(CaAsync, c => c.CrlNumber >= 5, "CRL number 5");
        Assert.Equal(5, ca.CrlNumber);
        Assert.True(ca.CrlNextUpdate > _clock.GetUtcNow().AddDays(20));
        await using var db = await _first.DbAsync();
        Assert.Equal(4, await db.AuditEvents.CountAsync(e => e.Action == "pki.crl.refreshed"));
    }

    [Fact]
    public async Task Both_crls_of_a_two_tier_ca_are_refreshed_each_with_its_own_numbers()
    {
        var created = await _first.Service<CaService>().CreateAsync(new NewCa("Tier-Root"), new NewCa("Tier-Issuing"), AuditActor.Cli("test"), default);
        Assert.True(created.Ok, created.Error?.Detail);
        _ = _second.Services;

        for (var period = 1; period <= 3; period++) // the third period is the marker that nothing more happened in the first two
        {
            _clock.Advance(TimeSpan.FromDays(16));
            var expected = period + 1;
            await Eventually.TrueAsync(async () => (await CasAsync()).All(c => c.CrlNumber >= expected), $"CRL numbers {expected}");
            Assert.All(await CasAsync(), c => Assert.Equal(expected, c.CrlNumber));
        }
        await using var db = await _first.DbAsync();
        var events = await db.AuditEvents.Where(e => e.Action == "pki.crl.refreshed").Select(e => e.Target).ToListAsync();
        Assert.Equal(3, events.Count(t => t == "ca:Tier-Root"));
        Assert.Equal(3, events.Count(t => t == "ca:Tier-Issuing"));
    }

    private async Task<List<AdminPortal.Data.Pki.CertificateAuthority>> CasAsync()
    {
        await using var db = await _first.DbAsync();
        return await db.CertificateAuthorities.AsNoTracking().ToListAsync();
    }

    private async Task<AdminPortal.Data.Pki.CertificateAuthority> CaAsync()
    {
        await using var db = await _first.DbAsync();
        return await db.CertificateAuthorities.AsNoTracking().SingleAsync();
    }

    private sealed class Instance : PortalApp
    {
        private readonly FakeTimeProvider _clock;

        public Instance(FakeTimeProvider clock) => _clock = clock;

        public Instance(FakeTimeProvider clock, string database, string dataDirectory) : base(database, dataDirectory) => _clock = clock;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(_clock));
        }
    }
}
