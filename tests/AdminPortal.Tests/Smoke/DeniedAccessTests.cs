using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Smoke;

public sealed class DeniedAccessTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task A_helpdesk_token_asking_for_the_audit_trail_is_refused_and_the_attempt_is_audited()
    {
        var client = await app.TokenClientAsync(Roles.Helpdesk);
        var response = await client.GetAsync("/api/v1/audit");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        await using var db = await app.DbAsync();
        var denied = await db.AuditEvents.Where(e => e.Action == "access.denied").OrderByDescending(e => e.Sequence).FirstAsync();
        Assert.Equal("denied", denied.Outcome);
        Assert.Equal("Helpdesk", denied.ActorRole);
        Assert.Equal("GET /api/v1/audit", denied.Target);
    }

    [Fact]
    public async Task An_anonymous_request_is_refused_without_an_audit_event()
    {
        await using var db = await app.DbAsync();
        // The scheduled checkpoint job may write its own event meanwhile; count everything else.
        var before = await db.AuditEvents.CountAsync(e => e.Action != "audit.checkpoint.created");
        var response = await app.CreateClient().GetAsync("/api/v1/audit");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, await db.AuditEvents.CountAsync(e => e.Action != "audit.checkpoint.created"));
    }
}
