using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Secrets;

public sealed class LogRedactionTests
{
    [Theory]
    [InlineData("/account/setup/hIF-cikvJ4cix6zd-VYISQL6EKpmC_MQs7A-ImGR0O4", "/account/setup/***")]
    [InlineData("/account/setup/hIF-cikvJ4cix6zd-VYISQL6EKpmC_MQs7A-ImGR0O4/next", "/account/setup/***/next")]
    [InlineData("/api/v1/audit/12345", "/api/v1/audit/12345")]
    [InlineData("/account/login", "/account/login")]
    public void Token_like_path_segments_are_redacted_from_logs(string path, string logged) =>
        Assert.Equal(logged, RedactTokensEnricher.Redact(path));
}
