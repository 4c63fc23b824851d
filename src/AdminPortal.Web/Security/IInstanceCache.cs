namespace AdminPortal.Web.Security;

/// <summary>
/// Something one portal instance keeps in memory that a change made on another instance (or by the CLI) makes stale:
/// API tokens, operator sessions, SSH connections opened under a replaced host key. The change sends a NOTIFY on
/// <see cref="Channel"/> in its own transaction, and <see cref="Tokens.ApiTokenInvalidation"/>, the instance's one
/// LISTEN session, passes it on here before it lets the changer's confirmation through.
/// </summary>
public interface IInstanceCache
{
    /// <summary>The notification channel (a constant, also used as an SQL identifier).</summary>
    string Channel { get; }

    /// <summary>A change was committed somewhere; called on the listener's thread, so it must not block.</summary>
    void Changed(string payload);

    /// <summary>The listener is (again) connected: changes will be heard from now on.</summary>
    void Resume();

    /// <summary>The listener lost its connection: changes may go unheard until <see cref="Resume"/>.</summary>
    void Suspend();
}
