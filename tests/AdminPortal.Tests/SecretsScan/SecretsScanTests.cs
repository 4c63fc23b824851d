namespace AdminPortal.Tests.SecretsScan;

/// <summary>Runs only in the step after the whole suite (.ci/test sets ADMINPORTAL_SECRETS_SCAN=1 and filters on the category).</summary>
public sealed class AfterTheSuiteFactAttribute : FactAttribute
{
    public AfterTheSuiteFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ADMINPORTAL_SECRETS_SCAN") != "1")
            Skip = "Reads what the whole suite left: run by .ci/test after the suite (ADMINPORTAL_SECRETS_SCAN=1).";
    }
}

[Trait("Category", "SecretsScan")]
public sealed class SecretsScanTests
{
    [AfterTheSuiteFact]
    public void No_log_line_or_audit_record_of_the_whole_suite_holds_a_secret()
    {
        var logs = Files(ScanArtifacts.Logs, "*.log");
        var audit = Files(ScanArtifacts.Audit, "*.tsv");
        Assert.True(File.Exists(ScanArtifacts.Ledger), $"No secrets ledger at {ScanArtifacts.Ledger}");
        var scanner = new SecretScanner(SecretScanner.ReadLedger(ScanArtifacts.Ledger));

        // The scan must have something to read and something to look for, or it proves nothing.
        var logLines = logs.Sum(f => File.ReadLines(f).Count());
        var auditRows = audit.Sum(f => File.ReadLines(f).Count());
        Assert.True(logs.Count >= 10 && logLines >= 1000, $"Only {logs.Count} log files with {logLines} lines under {ScanArtifacts.Logs}");
        Assert.True(audit.Count >= 10 && auditRows >= 1000, $"Only {audit.Count} audit dumps with {auditRows} rows under {ScanArtifacts.Audit}");
        var kinds = SecretScanner.ReadLedger(ScanArtifacts.Ledger).Select(s => s.Kind).ToHashSet();
        Assert.True(scanner.Count >= 100, $"Only {scanner.Count} secrets recorded");
        Assert.Superset(new HashSet<string> { "operator password", "TOTP secret", "API token" }, kinds);

        var findings = logs.Concat(audit).SelectMany(f => scanner.Scan(Path.GetRelativePath(ScanArtifacts.Root, f), File.ReadAllText(f))).ToList();

        Assert.True(findings.Count == 0,
            $"{findings.Count} secrets in {logs.Count} logs ({logLines} lines) and {audit.Count} audit dumps ({auditRows} rows), " +
            $"{scanner.Count} secrets looked for:\n" + string.Join("\n", findings.Take(50)));
    }

    private static List<string> Files(string directory, string pattern) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory, pattern).Order().ToList() : [];
}
