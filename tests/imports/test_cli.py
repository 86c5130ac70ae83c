"""``flask --app trajectory import candidates FILE --municipality NAME [--mapping] [--commit]``."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.imports.support import csv_bytes, people, xlsx_bytes
from trajectory.audit.models import AuditEvent, ProcessingLogEntry
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.imports import services


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["import", "candidates", *args])
    return result


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Candidate.id)))


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_check_then_commit(app, world, tmp_path):
    rows = people(4)
    rows[2][3] = "123456789"
    path = write(tmp_path, "goes.csv", csv_bytes(rows, sep=","))
    result = run(app, path, "--municipality", "Goes", "--klantmanager", "klantmanager")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == 4 and report["valid"] == 3 and report["written"] == 0
    assert report["errors"] == [{"row": 4, "field": "bsn", "message": report["errors"][0]["message"]}]
    assert "elfproef" in report["errors"][0]["message"]  # Dutch
    db.session.expire_all()
    assert count() == 0  # without --commit nothing is written
    result = run(app, path, "--municipality", "goes", "--klantmanager", "Sanne Bosman", "--commit")
    assert json.loads(result.stdout)["written"] == 3
    db.session.expire_all()
    assert count() == 3
    candidate = db.session.scalars(sa.select(Candidate)).first()
    assert candidate.klantmanager.username == "klantmanager"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessingLogEntry).where(
        ProcessingLogEntry.action == "import")) == 3
    assert db.session.scalars(sa.select(AuditEvent.actor_name).where(
        AuditEvent.object_type == "Candidate")).all() == ["cli import"] * 3
    again = json.loads(run(app, path, "--municipality", "Goes", "--klantmanager",
                           "klantmanager", "--commit").stdout)
    assert again["written"] == 0 and again["valid"] == 0  # now all duplicates


def test_a_mapping_file_and_the_saved_mapping(app, world, tmp_path):
    headers = ["Roep", "Fam", "Geb", "Nr", "Regeling", "Vanaf"]
    path = write(tmp_path, "goes.xlsx", xlsx_bytes(people(2), headers=headers))
    mapping = {"first_name": "Roep", "last_name": "Fam", "date_of_birth": "Geb", "bsn": "Nr",
               "benefit": "Regeling", "benefit_since": "Vanaf"}
    result = run(app, path, "--municipality", "Goes", "--klantmanager", "klantmanager")
    assert result.exit_code == 2 and "kolommen ontbreken" in result.stderr
    mapping_path = write(tmp_path, "m.json", json.dumps(mapping).encode())
    result = run(app, path, "--municipality", "Goes", "--klantmanager", "klantmanager",
                 "--mapping", mapping_path)
    assert json.loads(result.stdout)["valid"] == 2
    services.save_mapping(None, world.org("Goes"), mapping)
    db.session.commit()
    result = run(app, path, "--municipality", "Goes", "--klantmanager", "klantmanager")
    assert json.loads(result.stdout)["valid"] == 2  # the saved mapping


def test_unusable_input_exits_2_with_one_line(app, world, tmp_path):
    good = write(tmp_path, "goes.csv", csv_bytes(people(1)))
    cases = [
        (good, "--municipality", "Atlantis"),
        (str(tmp_path / "missing.csv"), "--municipality", "Goes"),
        (write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64),
         "--municipality", "Goes"),
        (good, "--municipality", "Goes", "--mapping", write(tmp_path, "bad.json", b"{nope")),
        (good, "--municipality", "Goes", "--mapping",
         write(tmp_path, "bad2.json", b'{"shoe_size": "Maat"}')),
        (good, "--municipality", "Goes", "--klantmanager", "nobody"),
        (good, "--municipality", "Goes"),  # two klantmanagers in Goes: name one
    ]
    for args in cases:
        result = run(app, *args)
        assert result.exit_code == 2, (args, result.stdout)
        assert result.stderr.startswith("fout: ") and result.stderr.count("\n") == 1, args
    assert count() == 0


def test_purge_removes_old_uploads(app, world):
    from datetime import timedelta

    from trajectory.imports.models import ImportUpload
    from trajectory.timeutil import utcnow

    user = world.user("klantmanager")
    for age in (timedelta(hours=1), timedelta(days=2)):
        db.session.add(ImportUpload(token=f"t{age.total_seconds()}", user_id=user.id,
                                    organisation_id=user.organisation_id, kind="candidates",
                                    filename="x.csv", content=b"BSN\r\n111222333\r\n",
                                    created_at=utcnow() - age))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["import", "purge"])
    assert result.exit_code == 0 and result.stdout.startswith("1 ")
    db.session.expire_all()
    assert db.session.scalars(sa.select(ImportUpload.filename)).all() == ["x.csv"]
