using AdminPortal.Data.Audit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace AdminPortal.Web.Security;

/// <summary>The client address of an interactive circuit, captured when it opens (there is no HttpContext later).</summary>
public sealed class CircuitClient(AuthenticationStateProvider auth)
{
    public string? Address { get; set; }

    public async Task<AuditActor> ActorAsync()
    {
        var state = await auth.GetAuthenticationStateAsync();
        return Actors.From(state.User, Address);
    }
}

public sealed class CircuitClientHandler(CircuitClient client, IHttpContextAccessor http) : CircuitHandler
{
    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        client.Address ??= http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        return Task.CompletedTask;
    }
}
