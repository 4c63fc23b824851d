using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Hosts.Pages;
using Bunit;

namespace AdminPortal.Tests.Components.Hosts;

/// <summary>The run form's fields validate inline with the server's own rules.</summary>
public sealed class ParameterFieldTests : ComponentTest
{
    private static readonly ActionCatalog Catalog = new();

    private IRenderedComponent<ParameterField> Field(string action, string parameter) =>
        Render<ParameterField>(p => p.Add(f => f.Spec, Catalog.Find(action)!.Parameters.Single(x => x.Name == parameter)));

    [Theory]
    [InlineData("account.create", "username", "x; touch /tmp/pwned", "unix user name")]
    [InlineData("account.create", "publicKey", "ssh-ed25519 AAAA $(id)", "SSH public key")]
    [InlineData("file.push", "path", "/tmp/../etc/passwd", "without '..'")]
    [InlineData("service.status", "unit", "cron`id`", "must match")]
    public void A_value_its_type_refuses_shows_the_reason_under_the_field(string action, string parameter, string value, string message)
    {
        var field = Field(action, parameter);
        var input = field.Find(Catalog.Find(action)!.Parameters.Single(x => x.Name == parameter).Type == ParameterType.PublicKey ? "textarea" : "input");
        input.Input(value);
        field.Find(input.TagName.ToLowerInvariant()).Blur();
        field.WaitForAssertion(() => Assert.Contains(message, field.Find(".mud-input-helper-text").TextContent));
    }

    [Fact]
    public void A_valid_user_name_shows_no_error()
    {
        var field = Field("account.create", "username");
        field.Find("input").Input("alice");
        field.Find("input").Blur();
        Assert.Empty(field.FindAll(".mud-input-error"));
    }
}
