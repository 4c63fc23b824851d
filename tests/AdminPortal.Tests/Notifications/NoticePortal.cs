using System.Net;
using System.Net.Http.Json;
using AdminPortal.Testing;
using AdminPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AdminPortal.Tests.Notifications;

/// <summary>
/// A portal on a clock the test moves, looking for expiry notices every 10 s of that clock and retrying email after 0.3 s of
/// it. <see cref="Another"/> is a second instance (or a restart) on the same database and clock.
/// </summary>
public sealed class NoticePortal : PortalApp
{
    public FakeTimeProvider Clock { get; }

    public NoticePortal(FakeTimeProvider clock) => Clock = clock;

    private NoticePortal(NoticePortal other) : base(other.Database, other.DataDirectory) => Clock = other.Clock;

    public NoticePortal Another() => new(this);

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("Notifications:ExpiryCheckPeriod", "00:00:10"),
        new("Email:RetryDelays:0", "00:00:00.3"),
        new("Email:MaxAttempts", "50"),
        new("Email:SendTimeout", "00:00:05"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(Clock));
    }

    public static async Task IssueAsync(HttpClient admin, string name, string? email, int validDays)
    {
        var r = await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name, email, validDays });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Moves the clock and waits until this instance's expiry job has claimed the new period. The claim comes before the
    /// queueing and the job records no end of its run, so a short pause lets the run finish. It cannot be a marker: moving the
    /// clock again (for the job's next claim) lets in-flight emails' leases and retries fall due, which these tests count.
    /// </summary>
    public async Task AdvanceAndAwaitJobAsync(TimeSpan by)
    {
        Clock.Advance(by);
        var now = Clock.GetUtcNow();
        await Eventually.TrueAsync(async () =>
        {
            await using var db = await DbAsync();
            return await db.JobRuns.AnyAsync(j => j.Name == "notifications.expiry" && j.LastRunAt >= now);
        }, $"the expiry job claimed at {now:O}");
        await Task.Delay(300); // TODO: wait on the job's own end-of-run record once ScheduledJob writes one
    }

    /// <summary>The expiry notices queued so far, as (kind, to, subject).</summary>
    public async Task<List<(string Kind, string To, string Subject)>> NoticesAsync()
    {
        await using var db = await DbAsync();
        return (await db.OutboxMessages.Where(m => m.Kind.StartsWith("certificate-expiring")).OrderBy(m => m.CreatedAt)
            .Select(m => new { m.Kind, m.To, m.Subject }).ToListAsync()).Select(m => (m.Kind, m.To, m.Subject)).ToList();
    }
}
