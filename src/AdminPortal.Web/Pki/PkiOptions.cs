using System.ComponentModel.DataAnnotations;

namespace AdminPortal.Web.Pki;

/// <summary>The <c>Pki</c> configuration section (defaults as easy-rsa users know them, CRL shorter and refreshed).</summary>
public sealed class PkiOptions
{
    public const string Section = "Pki";

    [Range(1, 36500)] public int CaValidDays { get; set; } = 3650;
    /// <summary>An issuing intermediate's default validity; it never outlives the root.</summary>
    [Range(1, 36500)] public int IntermediateValidDays { get; set; } = 1825;
    [Range(1, 3650)] public int CertificateValidDays { get; set; } = 825;
    [Range(1, 3650)] public int CrlLifetimeDays { get; set; } = 30;
    public string DefaultKeyAlgorithm { get; set; } = "ecdsa-p256";
    /// <summary>How often (once across instances) the CRLs are looked at and regenerated past half their lifetime.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan CrlRefreshPeriod { get; set; } = TimeSpan.FromMinutes(5);
}
