namespace AdminPortal.Web.Notifications;

/// <summary>A kind of notification: who it goes to, the placeholders its template may use, and its default text.</summary>
public sealed record NotificationKind(string Name, string Title, string Audience, IReadOnlyList<string> Placeholders,
    string Subject, string TextBody, string? HtmlBody)
{
    /// <summary>Values the Templates page previews with.</summary>
    public IReadOnlyDictionary<string, string> Sample => Placeholders.ToDictionary(p => p, p => NotificationKinds.SampleValues.GetValueOrDefault(p, p));
}

/// <summary>The kinds the portal sends, with their defaults (Admins may replace subject and bodies on the Templates page).</summary>
public static class NotificationKinds
{
    public const string OnboardingLink = "onboarding-link";
    public const string ExpiryUser = "certificate-expiring";
    public const string ExpiryAdmin = "certificate-expiring-admin";
    public const string Revocation = "certificate-revoked";
    public const string CrlStale = "crl-stale";
    public const string HostKeyMismatch = "host-key-mismatch";

    public static readonly IReadOnlyDictionary<string, string> SampleValues = new Dictionary<string, string>
    {
        ["user"] = "jdoe", ["displayName"] = "Jane Doe", ["email"] = "jane.doe@example.com", ["profile"] = "office", ["platform"] = "Windows",
        ["link"] = "https://portal.example.com/d/EXAMPLE", ["expiresAt"] = "Tuesday 1 December 2026, 17:00 UTC", ["daysLeft"] = "7 days",
        ["serial"] = "4f2a9c0e11d5", ["reason"] = "keyCompromise", ["revokedAt"] = "Monday 30 November 2026, 09:12 UTC",
        ["helpdesk"] = "your IT helpdesk", ["ca"] = "Example Root CA", ["nextUpdate"] = "Monday 30 November 2026, 09:00 UTC",
        ["lastError"] = "the CRL could not be published", ["server"] = "vpn-1", ["state"] = "stale",
        ["problem"] = "the deployed CRL is older than the current one", ["crlNumbers"] = "41", ["host"] = "web-1", ["expected"] = "SHA256:AAAA…", ["presented"] = "SHA256:BBBB…",
        ["at"] = "Monday 30 November 2026, 09:12 UTC",
    };

    public static readonly IReadOnlyList<NotificationKind> All =
    [
        new(OnboardingLink, "Onboarding: the VPN profile link", "the new user",
            ["user", "displayName", "profile", "platform", "link", "expiresAt", "helpdesk"],
            "Welcome, {{displayName}}: your VPN profile",
            """
            Hello {{displayName}},

            Your VPN access is ready (user name {{user}}). Download your VPN profile "{{profile}}" for {{platform}} here:

            {{link}}

            The link works once and expires on {{expiresAt}}. Do not forward this email: anyone with the link can download your profile.

            Questions? Contact {{helpdesk}}.
            """,
            """<p>Hello {{displayName}},</p><p>Your VPN access is ready (user name <b>{{user}}</b>). Download your VPN profile "{{profile}}" for {{platform}}:</p><p><a href="{{link}}">{{link}}</a></p><p>The link works once and expires on {{expiresAt}}. Do not forward this email.</p><p>Questions? Contact {{helpdesk}}.</p>"""),
        new(ExpiryUser, "Certificate expiring (to the user)", "the VPN user",
            ["user", "serial", "expiresAt", "daysLeft", "helpdesk"],
            "Your VPN certificate expires in {{daysLeft}}",
            """
            Hello {{user}},

            Your VPN certificate (serial {{serial}}) expires on {{expiresAt}}, in {{daysLeft}}. After that you cannot connect.
            Ask {{helpdesk}} for a new profile before then.
            """, null),
        new(ExpiryAdmin, "Certificate expiring (to Admins)", "every Admin",
            ["user", "serial", "expiresAt", "daysLeft"],
            "VPN certificate of {{user}} expires in {{daysLeft}}",
            """
            The VPN certificate of {{user}} (serial {{serial}}) expires on {{expiresAt}}, in {{daysLeft}}.
            Renew it in the portal (VPN users) if the user still needs access.
            """, null),
        new(Revocation, "Certificate revoked (to the user)", "the VPN user",
            ["user", "serial", "reason", "revokedAt", "helpdesk"],
            "Your VPN certificate was revoked",
            """
            Hello {{user}},

            Your VPN certificate (serial {{serial}}) was revoked on {{revokedAt}} (reason: {{reason}}). It no longer connects.
            If you did not expect this, contact {{helpdesk}}.
            """, null),
        new(CrlStale, "VPN server CRL alert (to Admins)", "every Admin",
            ["server", "state", "problem", "crlNumbers", "nextUpdate"],
            "VPN server {{server}}: CRL {{state}}",
            """
            The CRL deployed on VPN server {{server}} needs attention: {{state}}.

            {{problem}}

            Deployed cRLNumber(s): {{crlNumbers}}; nextUpdate: {{nextUpdate}}.
            The portal pushes the current CRL again at every check until the server has it; the server's page shows the
            latest state and has "Push CRL now". VPN servers refuse every client once their CRL expires.
            """, null),
        new(HostKeyMismatch, "Host key mismatch (to Admins)", "every Admin",
            ["host", "expected", "presented", "at"],
            "Host key mismatch on {{host}}",
            """
            On {{at}} the host {{host}} presented the key {{presented}}, not the approved {{expected}}. The portal refused the connection.
            Check the host (reinstalled, or someone in the middle?) before approving the new key on its page.
            """, null),
    ];

    public static NotificationKind? Find(string? name) => All.FirstOrDefault(k => k.Name == name);
}
