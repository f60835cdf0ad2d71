"""``RawQuery``: the revalidations' statements, compiled once and run on the driver."""

import sqlalchemy as sa

from reseau.accounts.models import Role, User, UserRole
from reseau.core.extensions import db
from reseau.core.http import RawQuery, raw_reader


def _holders_of_role():
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    return (
        sa.select(sa.func.count(UserRole.user_id))
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role.in_([Role.DISABILITY, Role.TRAINER]), UserRole.user_id != user_id)
    )


def test_constants_are_written_into_the_sql_and_parameters_stay_bound(app):
    """On PostgreSQL: a generic plan of the prepared statement then knows the constants."""
    query = RawQuery(_holders_of_role)
    with app.app_context():
        plan = query.plan(db.engine.dialect, ("user_id",))
    if db.engine.dialect.name == "postgresql":
        assert "'disability'" in plan.sql and "'trainer'" in plan.sql
        assert plan.constants == {}
    else:
        assert set(plan.constants.values()) == {"disability", "trainer"}
    assert [name for name, _ in plan.parameters] == ["user_id"]


def test_a_raw_read_with_written_out_constants_counts_the_same(app):
    query = RawQuery(_holders_of_role)
    with app.app_context():
        expected = db.session.scalar(_holders_of_role(), {"user_id": 0})
        with raw_reader() as reader:
            row = reader.first(query, {"user_id": 0})
    assert row[0] == expected
