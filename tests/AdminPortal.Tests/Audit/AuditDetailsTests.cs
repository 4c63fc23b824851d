using AdminPortal.Data.Audit;

namespace AdminPortal.Tests.Audit;

/// <summary>The secret-name guard on event details, with its memory of flat types that passed.</summary>
public sealed class AuditDetailsTests
{
    private static readonly AuditActor Actor = new("details-tester", "Admin", null);

    [Fact]
    public void A_flat_type_with_a_secret_name_is_refused_every_time()
    {
        for (var i = 0; i < 3; i++)
            Assert.Throws<InvalidOperationException>(() => new AuditEntry(Actor, "x", "y", new { name = "n", apiToken = "t" }).DetailsJson());
    }

    [Fact]
    public void A_type_whose_names_vary_is_checked_on_every_event_even_after_one_passed()
    {
        Assert.Equal("""{"note":"ok"}""", new AuditEntry(Actor, "x", "y", new Dictionary<string, string> { ["note"] = "ok" }).DetailsJson());
        Assert.Throws<InvalidOperationException>(() => new AuditEntry(Actor, "x", "y", new Dictionary<string, string> { ["newPassword"] = "p" }).DetailsJson());
        Assert.Equal("""{"serial":"0A"}""", new AuditEntry(Actor, "x", "y", new { serial = "0A" }).DetailsJson());
        Assert.Throws<InvalidOperationException>(() => new AuditEntry(Actor, "x", "y", new { inner = new Dictionary<string, string> { ["secret"] = "s" } }).DetailsJson());
    }
}
