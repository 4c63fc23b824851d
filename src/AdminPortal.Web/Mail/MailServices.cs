using AdminPortal.Web.Mail.Backends;
using AdminPortal.Web.Remote;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AdminPortal.Web.Mail;

public static class MailServices
{
    public static WebApplicationBuilder AddPortalMail(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.TryAddSingleton<HostScriptRunner>();
        s.AddSingleton<IMailBackend, DovecotBackend>();
        s.AddSingleton<IMailBackend, AoxBackend>();
        s.AddSingleton<MailHostService>();
        s.AddSingleton<MailboxService>();
        s.AddSingleton<MailboxDrift>();
        return builder;
    }
}
