// The product and its tests run on Linux only (host scripts under sh, Unix file modes).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
