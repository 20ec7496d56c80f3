/*-------------------------------------------------------------------------
 *
 * cmdlist.h
 *		usrmgmt command-line tool: the table of commands, the one place a
 *		command is defined.
 *
 * Each line is UM_COMMAND(ID, name, handler, needs, options, min_pos,
 * max_pos, check, exits, line, usage):
 *   ID        enum um_command value UM_CMD_<ID> (args.h)
 *   name      the word typed on the command line
 *   handler   int handler(struct um_run *r) in a cmd_*.c file (um.h)
 *   needs     what um_open() connects to (enum um_needs, args.h)
 *   options   UM_OPT_* bits of the options the command accepts
 *   min_pos, max_pos
 *             how many positional arguments it takes
 *   check     further argument rules (a function of args.c), or NULL
 *   exits     its exit-code rule (enum um_exit_rule, args.h)
 *   line      its line in the tool's usage text
 *   usage     its own usage text (usrmgmt COMMAND --help)
 *
 * There is no include guard on purpose: like PostgreSQL's rmgrlist.h, the
 * file is included where a list is needed, with UM_COMMAND defined to pick
 * the fields wanted: args.h (the enum), args.c (names, argument and exit
 * rules, usage texts), um.h (the handlers' prototypes), main.c (dispatch).
 * The order of the lines is the order of the usage text.
 *
 * src/cli/cmdlist.h
 *
 *-------------------------------------------------------------------------
 */

UM_COMMAND(INIT, "init", cmd_init, UM_NEEDS_SERVER,
		   UM_OPT_FORCE | UM_OPT_SAMPLE | UM_OPT_CONFIRM, 0, 0, check_init,
		   UM_EXITS_PLAIN,
		   "init [--force [--confirm]] [--sample-data]   create the extension",
		   "usage: usrmgmt [CONNECTION] init [--force [--confirm]] [--sample-data]\n"
		   "\n"
		   "Create the usrmgmt extension in the connected database.  When it is\n"
		   "already installed, say so and change nothing.\n"
		   "\n"
		   "  --force        drop the extension (and every row of its tables) and\n"
		   "                 create it again; needs --confirm, or typing \"yes\"\n"
		   "                 when standard input is a terminal\n"
		   "  --confirm      confirm --force without asking\n"
		   "  --sample-data  then load the sample data set (usrmgmt.load_sample_data())\n")

UM_COMMAND(STATUS, "status", cmd_status, UM_NEEDS_EXTENSION,
		   UM_OPT_JSON, 0, 0, NULL,
		   UM_EXITS_PLAIN,
		   "status                       version, tables, migrations, sessions",
		   "usage: usrmgmt [CONNECTION] status [--json]\n"
		   "\n"
		   "Print usrmgmt.status(): installed version, table row estimates,\n"
		   "applied migrations, open sessions.\n")

UM_COMMAND(VERIFY, "verify", cmd_verify, UM_NEEDS_EXTENSION,
		   UM_OPT_JSON, 0, 0, NULL,
		   UM_EXITS_VERDICT,
		   "verify                       schema drift and data integrity problems",
		   "usage: usrmgmt [CONNECTION] verify [--json]\n"
		   "\n"
		   "Print usrmgmt.verify(): schema drift and data integrity problems.\n"
		   "Exit 0 when there are none, 1 when there are, 3 on error.\n")

UM_COMMAND(MAINTAIN, "maintain", cmd_maintain, UM_NEEDS_EXTENSION,
		   UM_OPT_JSON, 0, 1, NULL,
		   UM_EXITS_VERDICT,
		   "maintain [SINCE]             monthly partitions of the log, retention",
		   "usage: usrmgmt [CONNECTION] maintain [SINCE] [--json]\n"
		   "\n"
		   "Run usrmgmt.maintain(): create the monthly partitions of usrmgmt.user_log\n"
		   "from SINCE (a date; default: this month) to three months ahead, move\n"
		   "rows out of the default partition, drop the months older than\n"
		   "usrmgmt.log_retention; print what it did.  Meant for cron, daily.\n"
		   "Exit 0 when all is well, 1 when rows are in the default partition,\n"
		   "fewer than two future partitions exist or an expired partition was\n"
		   "skipped (locked), 3 on error (nothing changed).\n")

UM_COMMAND(STATS, "stats", cmd_stats, UM_NEEDS_EXTENSION,
		   UM_OPT_JSON | UM_OPT_EXACT, 0, 0, NULL,
		   UM_EXITS_PLAIN,
		   "stats [--exact]              per-table statistics",
		   "usage: usrmgmt [CONNECTION] stats [--exact] [--json]\n"
		   "\n"
		   "Print usrmgmt.database_stats(): rows, sizes, scans, vacuum and analyze\n"
		   "times per table.\n"
		   "\n"
		   "  --exact        count rows (reads every table) instead of estimating\n")

UM_COMMAND(HEALTH, "health", cmd_health, UM_NEEDS_EXTENSION,
		   UM_OPT_JSON | UM_OPT_THRESHOLDS, 0, 0, check_health,
		   UM_EXITS_MONITOR,
		   "health [THRESHOLDS]          monitoring check: exit 0/1/2/3",
		   "usage: usrmgmt [CONNECTION] health [--json] [THRESHOLDS]\n"
		   "\n"
		   "Measure the connection time and a query round trip, add\n"
		   "usrmgmt.health(), and print a Nagios-style status line followed by the\n"
		   "details (or, with --json, the health() object with connect_ms and\n"
		   "roundtrip_ms added).\n"
		   "Exit 0 healthy, 1 degraded, 2 unhealthy, 3 error; on an error the\n"
		   "status line is \"USRMGMT UNKNOWN - message\" (--json: an object with\n"
		   "\"status\": \"error\" and the message).\n"
		   "\n"
		   "  --warn-connect-ms=MS    degraded above this connection time (default 1000)\n"
		   "  --crit-connect-ms=MS    unhealthy above this connection time (default 5000)\n"
		   "  --warn-roundtrip-ms=MS  degraded above this round trip (default 200)\n"
		   "  --crit-roundtrip-ms=MS  unhealthy above this round trip (default 1000)\n")

UM_COMMAND(MIGRATE, "migrate", cmd_migrate, UM_NEEDS_EXTENSION,
		   0, 0, 1, NULL,
		   UM_EXITS_PLAIN,
		   "migrate [DIR]                update the extension, apply DIR/*.sql",
		   "usage: usrmgmt [CONNECTION] migrate [DIR]\n"
		   "\n"
		   "Update the extension to its default version when it is not there yet\n"
		   "(ALTER EXTENSION usrmgmt UPDATE: a superuser or the extension's owner),\n"
		   "then apply every DIR/*.sql not yet applied, in name order, each\n"
		   "in its own transaction through usrmgmt.apply_migration().  A migration\n"
		   "is named after its file without \".sql\"; a line \"-- down\" starts the\n"
		   "SQL that undoes it.  Stops at the first failure, and at an applied\n"
		   "file whose up or down section changed.\n")

UM_COMMAND(MIGRATIONS, "migrations", cmd_migrations, UM_NEEDS_EXTENSION,
		   UM_OPT_JSON, 0, 0, NULL,
		   UM_EXITS_PLAIN,
		   "migrations                   migration history",
		   "usage: usrmgmt [CONNECTION] migrations [--json]\n"
		   "\n"
		   "List usrmgmt.migration_history: extension versions and application\n"
		   "migrations, oldest first.\n")

UM_COMMAND(ROLLBACK, "rollback", cmd_rollback, UM_NEEDS_EXTENSION,
		   UM_OPT_FORCE | UM_OPT_DRY_RUN, 1, 1, NULL,
		   UM_EXITS_PLAIN,
		   "rollback NAME [--force] [--dry-run]   undo the latest application migration",
		   "usage: usrmgmt [CONNECTION] rollback NAME [--force] [--dry-run]\n"
		   "\n"
		   "Undo application migration NAME with its stored down SQL\n"
		   "(usrmgmt.rollback_migration()), which runs with the rights of the\n"
		   "role that applied NAME, never more.  Only the most recently applied\n"
		   "application migration is rolled back: a later one may depend on\n"
		   "NAME, so roll back newest first.\n"
		   "\n"
		   "  --force        roll back NAME although later migrations were applied\n"
		   "                 after it: their objects may depend on what NAME's down\n"
		   "                 SQL removes (it then fails, or breaks them), and the\n"
		   "                 history still lists them as applied\n"
		   "  --dry-run      print the down SQL a rollback would run and the role\n"
		   "                 whose rights it runs with; change nothing\n")

UM_COMMAND(BACKUP, "backup", cmd_backup, UM_NEEDS_SERVER,
		   UM_OPT_DIR, 0, 0, NULL,
		   UM_EXITS_PLAIN,
		   "backup [--dir DIR]           pg_dump -Fc into DIR (default ./backups)",
		   "usage: usrmgmt [CONNECTION] backup [--dir DIR]\n"
		   "\n"
		   "Dump the connected database with pg_dump -Fc into\n"
		   "DIR/db_backup_YYYYMMDD_HHMMSS.dump (default DIR: ./backups), mode 0600;\n"
		   "a further backup in the same second gets _02, _03, ... before \".dump\".\n")

UM_COMMAND(LIST, "list", cmd_list, UM_NEEDS_NOTHING,
		   UM_OPT_DIR | UM_OPT_JSON, 0, 0, NULL,
		   UM_EXITS_PLAIN,
		   "list [--dir DIR]             list backups",
		   "usage: usrmgmt list [--dir DIR] [--json]\n"
		   "\n"
		   "List the backups in DIR (default ./backups) with size and date.\n"
		   "Needs no connection.\n")

UM_COMMAND(RESTORE, "restore", cmd_restore, UM_NEEDS_SERVER,
		   UM_OPT_CONFIRM | UM_OPT_NO_OWNER, 1, 1, NULL,
		   UM_EXITS_PLAIN,
		   "restore FILE --confirm       restore a backup into the database",
		   "usage: usrmgmt [CONNECTION] restore FILE --confirm [--no-owner]\n"
		   "\n"
		   "Restore backup FILE (a pg_dump custom archive) into the connected\n"
		   "database with pg_restore --clean --if-exists --single-transaction:\n"
		   "the objects in the backup are replaced, all or nothing.\n"
		   "\n"
		   "  --confirm      required: the current data is replaced\n"
		   "  --no-owner     do not restore object ownership\n")

UM_COMMAND(SAMPLE_DATA, "sample-data", cmd_sample_data, UM_NEEDS_EXTENSION,
		   0, 0, 0, NULL,
		   UM_EXITS_PLAIN,
		   "sample-data                  load the sample data set",
		   "usage: usrmgmt [CONNECTION] sample-data\n"
		   "\n"
		   "Load the sample data set (usrmgmt.load_sample_data()); loading it\n"
		   "twice changes nothing.\n")

UM_COMMAND(RESET, "reset", cmd_reset, UM_NEEDS_EXTENSION,
		   UM_OPT_CONFIRM, 0, 0, NULL,
		   UM_EXITS_PLAIN,
		   "reset --confirm              empty every usrmgmt table",
		   "usage: usrmgmt [CONNECTION] reset --confirm\n"
		   "\n"
		   "Empty every usrmgmt table and restart identities (usrmgmt.reset()).\n")

UM_COMMAND(DROP, "drop", cmd_drop, UM_NEEDS_EXTENSION,
		   UM_OPT_CONFIRM, 0, 0, NULL,
		   UM_EXITS_PLAIN,
		   "drop --confirm               drop the extension and its data",
		   "usage: usrmgmt [CONNECTION] drop --confirm\n"
		   "\n"
		   "DROP EXTENSION usrmgmt: removes its tables and every row in them.\n"
		   "Refused by the server while other objects depend on it.\n")
