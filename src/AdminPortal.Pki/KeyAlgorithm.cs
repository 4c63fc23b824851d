namespace AdminPortal.Pki;

/// <summary>The key algorithms the portal offers for CAs and certificates.</summary>
public enum KeyAlgorithm
{
    EcdsaP256,
    EcdsaP384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
    Ed25519,
}

public static class KeyAlgorithms
{
    public static readonly IReadOnlyDictionary<string, KeyAlgorithm> ByName = new Dictionary<string, KeyAlgorithm>(StringComparer.OrdinalIgnoreCase)
    {
        ["ecdsa-p256"] = KeyAlgorithm.EcdsaP256, ["p256"] = KeyAlgorithm.EcdsaP256,
        ["ecdsa-p384"] = KeyAlgorithm.EcdsaP384, ["p384"] = KeyAlgorithm.EcdsaP384,
        ["rsa-2048"] = KeyAlgorithm.Rsa2048, ["rsa2048"] = KeyAlgorithm.Rsa2048,
        ["rsa-3072"] = KeyAlgorithm.Rsa3072, ["rsa3072"] = KeyAlgorithm.Rsa3072,
        ["rsa-4096"] = KeyAlgorithm.Rsa4096, ["rsa4096"] = KeyAlgorithm.Rsa4096,
        ["ed25519"] = KeyAlgorithm.Ed25519,
    };

    public static string Name(this KeyAlgorithm a) => a switch
    {
        KeyAlgorithm.EcdsaP256 => "ecdsa-p256",
        KeyAlgorithm.EcdsaP384 => "ecdsa-p384",
        KeyAlgorithm.Rsa2048 => "rsa-2048",
        KeyAlgorithm.Rsa3072 => "rsa-3072",
        KeyAlgorithm.Rsa4096 => "rsa-4096",
        KeyAlgorithm.Ed25519 => "ed25519",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public static bool TryParse(string? name, out KeyAlgorithm algorithm)
    {
        algorithm = KeyAlgorithm.EcdsaP256;
        return name is not null && ByName.TryGetValue(name.Trim(), out algorithm);
    }

    public static bool IsRsa(this KeyAlgorithm a) => a is KeyAlgorithm.Rsa2048 or KeyAlgorithm.Rsa3072 or KeyAlgorithm.Rsa4096;
}
