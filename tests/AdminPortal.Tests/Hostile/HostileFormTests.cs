using AdminPortal.Data;
using AdminPortal.Tests.Components;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Email.Pages;
using AdminPortal.Web.Hosts.Pages;
using AdminPortal.Web.Pki.Pages;
using AdminPortal.Web.Security;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AdminPortal.Tests.Hostile;

/// <summary>
/// The corpus's form cases: hostile text typed into the main interactive forms, rendered by bunit with the portal's real services
/// on a real database. Each refusal is an inline message at the form (never markup from the input) and nothing is stored.
/// </summary>
public sealed class HostileFormTests : ComponentTest, IClassFixture<PortalApp>
{
    private readonly PortalApp _app;

    public HostileFormTests(PortalApp app) : base(services => Borrow(services, app))
    {
        _app = app;
        SignInAs(Roles.Admin);
    }

    private static void Borrow(IServiceCollection services, PortalApp app)
    {
        foreach (var type in new[] { typeof(AdminPortal.Web.Pki.VpnUserService), typeof(AdminPortal.Web.Hosts.HostService), typeof(AdminPortal.Web.Hosts.CredentialService),
                     typeof(AdminPortal.Web.Email.SmtpSettingsService), typeof(IDbContextFactory<PortalDbContext>), typeof(IOptions<AdminPortal.Web.Pki.PkiOptions>) })
            services.AddSingleton(type, app.Services.GetRequiredService(type));
        services.AddScoped<CircuitClient>();
    }

    public static IEnumerable<object[]> Cases => HostileCorpus.FormIds();

    [Theory, MemberData(nameof(Cases))]
    public async Task Hostile_text_in_a_form_gets_an_inline_message_and_stores_nothing(string id)
    {
        var c = HostileCorpus.ById[id];
        var payload = c.Payload!.Replace("${CANARY}", $"/tmp/canary-form-{id}").Replace("${ID}", id);
        var (form, submit) = (c.Target.Split(' ')[0], c.Target.Split(' ')[1]);
        Dictionary<string, long> before;
        await using (var db = await _app.DbAsync()) before = await HostileChecks.RowCountsAsync(db);

        var markup = form switch
        {
            nameof(IssueUserForm) => await FillAndSubmitAsync<IssueUserForm>(c, payload, submit),
            nameof(AddHostForm) => await FillAndSubmitAsync<AddHostForm>(c, payload, submit),
            nameof(SmtpSettingsForm) => await FillAndSubmitAsync<SmtpSettingsForm>(c, payload, submit),
            _ => throw new ArgumentException(form),
        };

        HostileChecks.AssertEscaped(markup, payload, id, c.ToString(), mustShow: false, serverHtml: false);
        await using (var db = await _app.DbAsync())
        {
            var after = await HostileChecks.RowCountsAsync(db);
            Assert.True(after.SequenceEqual(before), $"{c}: rows changed: {HostileChecks.Diff(before, after)}");
        }
        Assert.False(File.Exists($"/tmp/canary-form-{id}"));
    }

    /// <summary>Types each field (change events, as MudBlazor binds them), submits, and waits for the inline message.</summary>
    private async Task<string> FillAndSubmitAsync<T>(HostileCase c, string payload, string submit) where T : IComponent
    {
        var cut = Render<T>();
        // A form loads its data first (the SMTP form its settings) and keeps its buttons disabled until then.
        cut.WaitForAssertion(() => Assert.False(cut.Find($"[data-testid={submit}]").HasAttribute("disabled")), TimeSpan.FromSeconds(15));
        foreach (var (field, value) in c.Form!)
            await cut.InvokeAsync(() => Input(cut.Find($"[data-testid={field}]")).Change(value.Replace("$RAW", payload).Replace("${UNIQ}", Guid.NewGuid().ToString("N")[..8])));
        await cut.InvokeAsync(() => cut.Find($"[data-testid={submit}]").Click());
        cut.WaitForAssertion(() => Assert.Contains(c.ExpectText!, cut.Markup), TimeSpan.FromSeconds(15));
        return cut.Markup;
    }

    /// <summary>The input or textarea of a data-testid (MudBlazor puts the attribute on the input itself or on its wrapper).</summary>
    private static AngleSharp.Dom.IElement Input(AngleSharp.Dom.IElement e) =>
        e.LocalName is "input" or "textarea" ? e : e.QuerySelector("input, textarea") ?? throw new InvalidOperationException($"no input in {e.OuterHtml}");
}
