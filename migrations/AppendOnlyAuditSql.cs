namespace AdminPortal.Migrations;

/// <summary>
/// SQL the initial migration runs after creating the tables: the application role, its grants, and the
/// audit trail's append-only protection (no UPDATE/DELETE/TRUNCATE grants, plus triggers that refuse them
/// for every role, the table owner included).
/// </summary>
internal static class AppendOnlyAuditSql
{
    public const string Up = """
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal_app') THEN CREATE ROLE portal_app NOLOGIN; END IF;
        END $$;
        GRANT USAGE ON SCHEMA public TO portal_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO portal_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO portal_app;
        REVOKE ALL ON audit_events FROM PUBLIC;
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM portal_app;
        GRANT SELECT, INSERT ON audit_events TO portal_app;

        CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $f$;
        CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
        CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
          FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
        """;

    public const string Down = """
        DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
        DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events;
        DROP FUNCTION IF EXISTS audit_events_refuse_change();
        """;
}
