namespace AdminPortal.Web.Email;

public static class EmailServices
{
    public static WebApplicationBuilder AddPortalEmail(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton<SmtpSettingsService>();
        s.AddSingleton<SmtpTransport>();
        s.AddSingleton<OutboxDelivery>();
        s.AddSingleton<OutboxService>();
        s.AddHostedService<EmailSender>();
        return builder;
    }
}
