using System.Text;
using System.Text.RegularExpressions;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Errors;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>
/// A shell command line and what it gets besides: environment variables (exported, each value quoted) and bytes on
/// stdin. Build <see cref="Script"/> from constants and <see cref="ShellQuote.Quote"/>d values only.
/// </summary>
public sealed record RemoteCommand(string Script, TimeSpan Timeout, IReadOnlyDictionary<string, string>? Environment = null, byte[]? Stdin = null);

/// <summary>How a remote command ended: a <see cref="RunStatus"/>, its exit code, and a message for the operator.</summary>
public sealed record RemoteOutcome(string Status, int? ExitCode, string? Message, PortalError? Error = null);

/// <summary>Receives output as it arrives: stderr or stdout, and the bytes.</summary>
public delegate void OutputWriter(bool stderr, ReadOnlySpan<byte> data);

/// <summary>Runs one command on a host through the pool, in its own channel: the reusable "run X on host Y" service.</summary>
public sealed partial class RemoteShell(SshPool pool)
{
    public async Task<RemoteOutcome> RunAsync(SshTarget target, RemoteCommand command, OutputWriter output, CancellationToken ct)
    {
        try
        {
            var acquired = await pool.AcquireAsync(target, ct);
            if (!acquired.Ok) return Failed(acquired.Error!);
            using var lease = acquired.Value!;
            return await RunOnLeaseAsync(lease, Script(command), command, output, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new RemoteOutcome(RunStatus.Cancelled, null, "cancelled by an operator before the command started");
        }
    }

    private static async Task<RemoteOutcome> RunOnLeaseAsync(SshLease lease, string script, RemoteCommand command, OutputWriter output, CancellationToken ct)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
        run.CancelAfter(command.Timeout);
        var refusals = 0;
        for (var attempt = 0; ; attempt++)
        {
            var client = await lease.ClientAsync(ct);
            if (!client.Ok) return Failed(client.Error!);
            using var cmd = client.Value!.CreateCommand(script);
            Started started;
            try
            {
                // ExecuteAsync opens the channel synchronously: off the caller's thread, and a failure there means nothing ran.
                started = await Task.Run(() => new Started(cmd.ExecuteAsync(run.Token)), CancellationToken.None);
            }
            catch (SshException e) when (refusals < MaxChannelRefusals && client.Value.IsConnected && e is not (SshConnectionException or SshOperationTimeoutException))
            {
                // The connection is fine but sshd refused the channel ("no more sessions"): it frees a finished session only
                // once it has reaped the session's process, a moment after the channel closed. Nothing ran: wait and try again.
                refusals++;
                attempt--;
                await Task.Delay(TimeSpan.FromMilliseconds(25 << refusals), run.Token);
                continue;
            }
            catch (Exception e) when (attempt == 0 && (HostKeyCheck.IsConnectFault(e) || e is InvalidOperationException))
            {
                lease.Invalidate();
                continue;
            }
            catch (Exception e) when (HostKeyCheck.IsConnectFault(e) || e is InvalidOperationException)
            {
                lease.Invalidate();
                return new RemoteOutcome(RunStatus.Error, null, $"the action could not start: {HostKeyCheck.Describe(e, command.Timeout)}");
            }
            return await FinishAsync(lease, cmd, started.Execution, command, output, run, ct);
        }
    }

    private sealed record Started(Task Execution);

    /// <summary>How often a refused channel is asked for again on a live connection (25 ms doubling: about 3 s in all).</summary>
    private const int MaxChannelRefusals = 7;

    private static async Task<RemoteOutcome> FinishAsync(SshLease lease, SshCommand cmd, Task execution, RemoteCommand command,
        OutputWriter output, CancellationTokenSource run, CancellationToken ct)
    {
        var readers = Task.WhenAll(PumpAsync(cmd.OutputStream, false, output), PumpAsync(cmd.ExtendedOutputStream, true, output));
        try
        {
            await SendStdinAsync(cmd, execution, command.Stdin, run.Token);
            await execution;
            await Task.WhenAny(readers, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new RemoteOutcome(RunStatus.Cancelled, null, "cancelled by an operator; the remote command was sent SIGTERM");
        }
        catch (OperationCanceledException)
        {
            return new RemoteOutcome(RunStatus.TimedOut, null,
                $"did not finish within its timeout of {command.Timeout.TotalSeconds:0.#} s; the remote command was sent SIGTERM");
        }
        catch (Exception e) when (HostKeyCheck.IsConnectFault(e))
        {
            lease.Invalidate();
            return new RemoteOutcome(RunStatus.Error, null, $"the connection was lost during the action: {e.Message}");
        }
        if (cmd.ExitStatus is { } code)
            return new RemoteOutcome(code == 0 ? RunStatus.Succeeded : RunStatus.Failed, code, code == 0 ? null : $"exit code {code}");
        return new RemoteOutcome(RunStatus.Failed, null, cmd.ExitSignal is { } signal ? $"killed by signal {signal}" : "no exit status");
    }

    /// <summary>Writes stdin and closes it (EOF), so that a command reading its input ends.</summary>
    private static async Task SendStdinAsync(SshCommand cmd, Task execution, byte[]? stdin, CancellationToken ct)
    {
        try
        {
            using var input = cmd.CreateInputStream();
            if (stdin is { Length: > 0 }) await input.WriteAsync(stdin, ct);
        }
        catch (InvalidOperationException) when (execution.IsCompleted)
        {
            // The command finished before its input was opened (a fast command): nothing to send to.
        }
    }

    private static async Task PumpAsync(Stream stream, bool stderr, OutputWriter output)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) output(stderr, buffer.AsSpan(0, n));
        }
        catch (ObjectDisposedException) { }
    }

    /// <summary>The script with its environment exported first; names are checked, values quoted.</summary>
    public static string Script(RemoteCommand command)
    {
        if (command.Environment is null or { Count: 0 }) return command.Script;
        var sb = new StringBuilder();
        foreach (var (name, value) in command.Environment)
        {
            if (!EnvName().IsMatch(name)) throw new ArgumentException($"'{name}' is not an environment variable name.");
            sb.Append("export ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }
        return sb.Append(command.Script).ToString();
    }

    private static RemoteOutcome Failed(PortalError error) =>
        new(error is HostKeyMismatch or HostNotTrusted ? RunStatus.Refused : RunStatus.Error, null, error.Detail, error);

    [GeneratedRegex(@"\A[A-Z_][A-Z0-9_]{0,63}\z", InputText.Linear)]
    private static partial Regex EnvName();
}
