namespace AdminPortal.Web.Notifications;

public static class NotificationServices
{
    public static WebApplicationBuilder AddPortalNotifications(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton<NotificationService>();
        s.AddSingleton<NotificationTemplates>();
        s.AddSingleton<ExpiryNotices>();
        s.AddHostedService<ExpiryNoticeJob>();
        return builder;
    }
}
