namespace AdminPortal.Web.Errors;

/// <summary>
/// The connection to PostgreSQL broke while a transaction was open (a restart, a failover): nothing of it was
/// committed. Answered as the database being unavailable (503 with Retry-After), like Npgsql's own connection faults.
/// </summary>
public sealed class DatabaseConnectionLostException(string message, Exception inner) : Exception(message, inner);
