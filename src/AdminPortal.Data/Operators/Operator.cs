using Microsoft.AspNetCore.Identity;

namespace AdminPortal.Data.Operators;

/// <summary>A person who operates the portal. Roles come from Identity's role tables.</summary>
public class Operator : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public bool IsDisabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
