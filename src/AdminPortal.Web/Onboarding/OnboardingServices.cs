namespace AdminPortal.Web.Onboarding;

public static class OnboardingServices
{
    public static WebApplicationBuilder AddPortalOnboarding(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OnboardingSteps>();
        builder.Services.AddSingleton<OnboardingRunner>();
        builder.Services.AddSingleton<OnboardingService>();
        return builder;
    }
}
