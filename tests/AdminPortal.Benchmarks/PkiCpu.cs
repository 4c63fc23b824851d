namespace AdminPortal.Benchmarks;

/// <summary>CPU time of processes read from /proc: the PostgreSQL cluster (postmaster and its children) and this process.</summary>
public static class PkiCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User + system CPU of the postmaster whose data directory is given, and of all its children, now.</summary>
    public static TimeSpan Postgres(string pgData)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(pgData, "postmaster.pid")).First());
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; } // the process ended meanwhile
            // Fields after the command name (in parentheses, may contain spaces): state ppid ... utime stime cutime cstime;
            // the postmaster's cutime/cstime hold the backends that have already exited.
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (pid == postmaster) ticks += double.Parse(f[11]) + double.Parse(f[12]) + double.Parse(f[13]) + double.Parse(f[14]);
            else if (int.Parse(f[1]) == postmaster) ticks += double.Parse(f[11]) + double.Parse(f[12]);
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>CPU of the threads of process <paramref name="pid"/> whose name starts with <paramref name="prefix"/> (e.g. ".NET Tiered Com", the JIT's).</summary>
    public static TimeSpan Threads(int pid, string prefix)
    {
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; }
            var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (name.StartsWith(prefix, StringComparison.Ordinal)) ticks += double.Parse(f[11]) + double.Parse(f[12]);
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    public static TimeSpan Self() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
}
