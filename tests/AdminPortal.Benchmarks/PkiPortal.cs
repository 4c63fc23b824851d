using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AdminPortal.Benchmarks;

/// <summary>
/// The real portal executable (src/AdminPortal.Web's build output, `dotnet AdminPortal.dll`) as a child process in
/// Production mode on the benchmark's PostgreSQL; its CLI is run with the same settings. Stopped by its PID.
/// </summary>
public sealed class PkiPortal : IDisposable
{
    private readonly Process _process;
    private readonly Dictionary<string, string> _env;
    private readonly List<string> _output = [];
    public int Port { get; }
    public int Pid => _process.Id;
    public string DataDirectory { get; }

    public static string Dll(string root)
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(root, "src", "AdminPortal.Web", "bin", configuration, "net10.0", "AdminPortal.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the portal first (dotnet build -c {configuration} src/AdminPortal.Web): {dll}");
    }

    private readonly string _dll;

    public PkiPortal(string dll, string appConnectionString, string migrationsConnectionString)
    {
        _dll = dll;
        Port = FreePort();
        DataDirectory = Directory.CreateTempSubdirectory("adminportal-bench-portal-").FullName;
        _env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}",
            ["ConnectionStrings__Portal"] = appConnectionString,
            ["ConnectionStrings__PortalMigrations"] = migrationsConnectionString,
            ["Portal__DataDirectory"] = DataDirectory,
            ["Portal__PublicUrl"] = $"http://127.0.0.1:{Port}",
        };
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(dll)! };
        psi.ArgumentList.Add(dll);
        foreach (var (k, v) in _env) psi.Environment[k] = v;
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The portal exited ({_process.ExitCode}):\n{Output}");
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The portal never answered /healthz:\n{Output}");
    }

    /// <summary>Runs a CLI command of the same executable with the same settings.</summary>
    public PkiProcess.Outcome Cli(params string[] args) =>
        PkiProcess.Check(PkiProcess.Run("dotnet", [_dll, .. args], _env, Path.GetDirectoryName(_dll)), "AdminPortal " + string.Join(' ', args));

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>SIGTERM to its PID (graceful), then a kill if it is still there.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString() }, RedirectStandardError = true })!)
                kill.WaitForExit(10_000);
            if (!_process.WaitForExit(30_000)) _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        try { Directory.Delete(DataDirectory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
