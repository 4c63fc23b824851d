using AdminPortal.Pki;
using AdminPortal.Web.Pki.Pages;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AdminPortal.Tests.Components.Pki;

public sealed class RevokeDialogTests : ComponentTest
{
    private IRenderedComponent<MudDialogProvider> _host = default!;
    private IDialogReference _dialog = default!;

    private async Task OpenAsync(string user = "alice", string serial = "0A1B")
    {
        Render<MudPopoverProvider>();
        _host = Render<MudDialogProvider>();
        var parameters = new DialogParameters<RevokeDialog> { { d => d.UserName, user }, { d => d.Serial, serial } };
        _dialog = await _host.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<RevokeDialog>("Revoke", parameters));
    }

    private AngleSharp.Dom.IElement Submit => _host.Find("[data-testid=revoke-submit]");
    private AngleSharp.Dom.IElement Confirm => _host.Find(".mud-dialog input[type=checkbox]");

    private async Task ChooseAsync(string reason)
    {
        var select = _host.FindComponent<MudSelect<string>>();
        await _host.InvokeAsync(() => select.Instance.SelectOption(reason));
    }

    [Fact]
    public void Offers_the_RFC_5280_reasons_for_an_end_entity_certificate_each_understood_by_the_service()
    {
        var names = RevokeDialog.Reasons.Select(r => r.Name).ToList();

        Assert.Equal(["keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation", "privilegeWithdrawn", "certificateHold", "unspecified"], names);
        Assert.All(names, n => Assert.True(RevocationReasons.TryParse(n, out _), n));
        Assert.DoesNotContain("caCompromise", names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public async Task The_select_lists_every_reason_by_its_label()
    {
        await OpenAsync();
        var select = _host.FindComponent<MudSelect<string>>();
        Assert.Equal(RevokeDialog.Reasons.Select(r => r.Name), select.FindComponents<MudSelectItem<string>>().Select(i => i.Instance.Value));
        Assert.Empty(_host.FindAll("[data-testid=revoke-reason-help]")); // no reason is chosen for the operator
    }

    [Fact]
    public async Task Revoke_stays_disabled_until_a_reason_is_chosen_and_the_operator_confirms()
    {
        await OpenAsync();
        Assert.True(Submit.HasAttribute("disabled"));

        await ChooseAsync("keyCompromise");
        Assert.True(Submit.HasAttribute("disabled"));
        Assert.Contains("lost, stolen or exposed", _host.Find("[data-testid=revoke-reason-help]").TextContent);

        Confirm.Change(true);
        Assert.False(Submit.HasAttribute("disabled"));

        await _host.InvokeAsync(() => Submit.Click());
        var result = await _dialog.Result;
        Assert.False(result!.Canceled);
        Assert.Equal("keyCompromise", result.Data);
    }

    [Fact]
    public async Task Confirming_without_a_reason_is_not_enough()
    {
        await OpenAsync();
        Confirm.Change(true);
        Assert.True(Submit.HasAttribute("disabled"));
    }

    [Fact]
    public async Task Cancel_revokes_nothing()
    {
        await OpenAsync();
        await ChooseAsync("superseded");
        await _host.InvokeAsync(() => _host.Find("[data-testid=revoke-cancel]").Click());
        Assert.True((await _dialog.Result)!.Canceled);
    }

    [Fact]
    public async Task Names_the_user_and_serial_as_text_not_markup()
    {
        await OpenAsync(user: "<img src=x onerror=alert(1)>", serial: "<b>01</b>");
        Assert.Empty(_host.FindAll("img"));
        Assert.Contains("<img src=x", _host.Markup.Replace("&lt;", "<"));
        Assert.Empty(_host.FindAll(".mono b"));
    }
}
