using AdminPortal.Data.Audit;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Ssh;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Hosts;

public sealed record CredentialRequest(string? Name, string? PrivateKeyPem = null, string? Passphrase = null);

public sealed record CredentialView(string Name, string PublicKey, string KeyType, bool Imported, DateTimeOffset CreatedAt);

/// <summary>SSH key pairs: generated (ed25519) or imported; the private key is stored encrypted and never returned or logged.</summary>
public sealed class CredentialService(AuditedWork work, SshKeys keys, TimeProvider time)
{
    public async Task<Result<CredentialView>> CreateAsync(CredentialRequest request, AuditActor actor, CancellationToken ct)
    {
        if (HostInput.Name("name", request.Name) is { } bad) return bad;
        var comment = $"adminportal-{request.Name}";
        KeyMaterial material;
        string publicKey, type;
        if (request.PrivateKeyPem is null)
        {
            if (request.Passphrase is not null) return new InvalidInput("passphrase", "A passphrase goes with an imported privateKeyPem only.");
            (material, publicKey) = SshKeys.GenerateEd25519(comment);
            type = "ssh-ed25519";
        }
        else if (SshKeys.Import(request.PrivateKeyPem, request.Passphrase, comment) is { } imported)
        {
            (material, publicKey, type) = imported;
        }
        else
        {
            return new InvalidInput("privateKeyPem", "The private key cannot be read: it must be an OpenSSH or PEM private key, and the passphrase must be right.");
        }

        return await work.RunAsync<Result<CredentialView>>(async (_, db, c) =>
        {
            if (await db.SshCredentials.AnyAsync(x => x.Name == request.Name, c))
                return (new Conflict($"A credential named '{request.Name}' exists already."), null);
            var id = Guid.NewGuid();
            var row = db.SshCredentials.Add(new SshCredential
            {
                Id = id, Name = request.Name!, PublicKey = publicKey, KeyType = type, Imported = request.PrivateKeyPem is not null,
                EncryptedPrivateKey = keys.Protect(material, id), CreatedAt = time.GetUtcNow(), CreatedBy = actor.Name,
            }).Entity;
            return (View(row), new AuditEntry(actor, row.Imported ? "credential.imported" : "credential.generated", $"credential:{row.Name}",
                new { keyType = type, publicKeyLine = publicKey }));
        }, ct);
    }

    public static CredentialView View(SshCredential c) => new(c.Name, c.PublicKey, c.KeyType, c.Imported, c.CreatedAt);
}
