using AdminPortal.Data.Audit;
using AdminPortal.Web.Secrets;

namespace AdminPortal.Tests.Secrets;

/// <summary>Instances starting together on a shared volume agree on one key file, none failing or reading half a file.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeyFileRaceTests : IDisposable
{
    private const int Instances = 8;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "adminportal-keyrace-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Runs the same start-up step on several threads released at once.</summary>
    private static async Task<T[]> TogetherAsync<T>(Func<T> start)
    {
        using var gate = new Barrier(Instances);
        return await Task.WhenAll(Enumerable.Range(0, Instances).Select(_ => Task.Factory.StartNew(() =>
        {
            gate.SignalAndWait();
            return start();
        }, TaskCreationOptions.LongRunning)));
    }

    [Fact]
    public async Task Racing_instances_create_one_master_key_and_all_read_it()
    {
        for (var round = 0; round < 20; round++)
        {
            var path = Path.Combine(_dir, $"round-{round}", "master.key");

            var loaded = await TogetherAsync(() => MasterKeyFile.Load(path, createIfMissing: true));

            Assert.Single(loaded, l => l.Created);
            Assert.Single(loaded.Select(l => Convert.ToBase64String(l.Key)).Distinct());
            Assert.Equal(Convert.ToBase64String(loaded[0].Key), File.ReadAllText(path).Trim());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(["master.key"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task Racing_instances_create_one_checkpoint_signing_key_and_all_use_it()
    {
        for (var round = 0; round < 20; round++)
        {
            var settings = new CheckpointSettings(Path.Combine(_dir, $"cp-{round}"), Path.Combine(_dir, $"cp-{round}", "audit-checkpoint.key"));

            var keyIds = await TogetherAsync(() => new AuditCheckpoints(settings).KeyId);

            Assert.Single(keyIds.Distinct());
            Assert.Equal(keyIds[0], new AuditCheckpoints(settings).KeyId);
        }
    }

    [Fact]
    public void A_failure_to_read_the_signing_key_is_not_remembered()
    {
        var keyFile = Path.Combine(_dir, "late", "audit-checkpoint.key");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        File.WriteAllText(keyFile, "not a key yet");
        var checkpoints = new AuditCheckpoints(new CheckpointSettings(Path.Combine(_dir, "late"), keyFile));
        Assert.ThrowsAny<ArgumentException>(() => checkpoints.KeyId);

        File.Delete(keyFile); // the volume now holds no key: the next use creates one

        Assert.Equal(16, checkpoints.KeyId.Length);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
