namespace AdminPortal.Web.Remote;

/// <summary>
/// The exit codes of every host script (<c>Scripts/lib.sh</c> defines the same numbers as <c>EX_*</c>). One meaning each,
/// in every script: publish, CRL push, ccd, file push, mailbox writes and account actions.
/// </summary>
public enum ScriptExit
{
    /// <summary>Done (or nothing needed doing; the output says which).</summary>
    Ok = 0,

    /// <summary>A command the script ran failed; stderr says which.</summary>
    Failed = 1,

    /// <summary>The script was called with arguments it does not accept: a bug in the portal, never the host's fault.</summary>
    Usage = 64,

    /// <summary>A file or folder the script needs is not there.</summary>
    Missing = 66,

    /// <summary>Another writer held the lock for longer than the script waits: nothing changed; try again.</summary>
    LockBusy = 75,

    /// <summary>The target is unsafe to write (a symlink, a folder that is not one, a forbidden account): nothing changed.</summary>
    Unsafe = 77,

    /// <summary>The host already holds something newer (a later publish generation, a newer CRL): nothing changed.</summary>
    Superseded = 79,
}

public static class ScriptExits
{
    /// <summary>The <see cref="ScriptExit"/> for an exit status, or null for a code no script uses on purpose.</summary>
    public static ScriptExit? Of(int? code) => code is { } c && Enum.IsDefined(typeof(ScriptExit), c) ? (ScriptExit)c : null;
}
