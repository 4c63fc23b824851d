using AdminPortal.Web.Security;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using MudBlazor.Services;

namespace AdminPortal.Tests.Components;

/// <summary>
/// A bunit context with MudBlazor's services, JS interop in loose mode (MudBlazor calls JS we do not assert on)
/// and an interactive server renderer, as the portal's pages run; anonymous until <see cref="SignInAs"/>.
/// </summary>
public abstract class ComponentTest : BunitContext, IAsyncLifetime
{
    // MudBlazor registers services that only dispose asynchronously; xunit 2 calls this before Dispose.
    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    protected ComponentTest() : this(_ => { }) { }

    /// <summary>With services of the test's own (e.g. the portal's real ones), added before anything is resolved.</summary>
    protected ComponentTest(Action<Microsoft.Extensions.DependencyInjection.IServiceCollection> services)
    {
        services(Services);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        _auth = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private readonly BunitAuthorizationContext _auth;

    /// <summary>Signs in a fake operator holding exactly the policies the permission matrix grants the role.</summary>
    protected BunitAuthorizationContext SignInAs(string role, string name = "ops@example.test")
    {
        var auth = _auth;
        auth.SetAuthorized(name);
        auth.SetRoles(role);
        auth.SetPolicies([.. Permissions.Matrix.Where(p => p.Value.Contains(role)).Select(p => p.Key)]);
        return auth;
    }
}
