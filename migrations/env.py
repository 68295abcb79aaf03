import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from koki_site.extensions import UTCDateTime

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def render_item(type_, obj, autogen_context):
    """Write the app's UTCDateTime as the plain column type it is, so revisions never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# The inbox's search index exists in one database or the other, never in the models (migration
# 0013, koki_site/contact/search.py): PostgreSQL's generated tsvector column and its GIN index,
# SQLite's FTS5 table and the shadow tables FTS5 makes for it. Alembic cannot compare them (a
# virtual table does not even reflect cleanly), so `flask db check` leaves them out, by name.
SEARCH_TABLE_PREFIX = "contact_message_fts"
SEARCH_OBJECTS = {("column", "search_vector"), ("index", "ix_contact_message_search_vector")}


def include_name(name, type_, parent_names):
    """Skip the search tables before they are reflected."""
    return not (type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIX))


def include_object(obj, name, type_, reflected, compare_to):
    """Skip PostgreSQL's search column and its index, which only the database has."""
    return not (reflected and compare_to is None and (type_, name) in SEARCH_OBJECTS)


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args["render_item"] = render_item
    conf_args["include_name"] = include_name
    conf_args["include_object"] = include_object
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        if connection.dialect.name == "postgresql":
            # The site's statement timeout guards requests; a migration may take its time.
            connection.exec_driver_sql("SET statement_timeout = 0")
            connection.commit()  # or the migrations would run inside this transaction, never committed
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
