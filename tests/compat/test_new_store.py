"""A new store is opened by its first write (server/storage/lazy.c), seen from outside: a server on a
new data directory answers as an empty one and leaves the directory empty until something is
written; a second server on the same directory is refused at start, before and after the first
write; what was written is there after a restart; and a server that was never written stops
cleanly without creating a database."""
import os
import subprocess

import pytest

from conftest import DDBD_BIN, free_port, make_client


def second_server(data):
    """Starts another ddbd on `data`: (exit status, standard error)."""
    proc = subprocess.run([DDBD_BIN, "--host", "127.0.0.1", "--port", str(free_port()), "--data-dir", data],
                          capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stderr


def test_new_data_directory_waits_for_the_first_write(server_factory, tmp_path):
    data = str(tmp_path / "data")
    srv = server_factory(["--data-dir", data])
    ddb = make_client(srv.endpoint)
    assert ddb.list_tables()["TableNames"] == []
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as e:
        ddb.describe_table(TableName="newtable")
    assert e.value.response["Error"]["Message"] == "Requested resource not found: Table: newtable not found"
    assert os.listdir(data) == []  # read, never written: no database yet
    rc, err = second_server(data)
    assert rc == 1 and "the data directory %s is in use by another process" % data in err, (rc, err)
    ddb.create_table(TableName="newtable", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    ddb.put_item(TableName="newtable", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert "CURRENT" in os.listdir(data)
    # now RocksDB's own lock refuses it, said in the same words (issue 76, item 4: it was RocksDB's
    # "IO error: While lock file: .../LOCK: Resource temporarily unavailable")
    rc, err = second_server(data)
    assert rc == 1 and "the data directory %s is in use by another process" % data in err, (rc, err)
    assert "While lock file" not in err
    assert srv.stop() == 0
    srv = server_factory(["--data-dir", data])
    ddb = make_client(srv.endpoint)
    assert ddb.get_item(TableName="newtable", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert srv.stop() == 0


def test_a_server_never_written_stops_without_a_database(server_factory, tmp_path):
    data = str(tmp_path / "data")
    srv = server_factory(["--data-dir", data])
    assert make_client(srv.endpoint).list_tables()["TableNames"] == []
    assert srv.stop() == 0
    assert os.listdir(data) == []
    srv = server_factory(["--data-dir", data])  # and the next start is a new store again
    assert make_client(srv.endpoint).list_tables()["TableNames"] == []
    assert srv.stop() == 0


def test_an_unwritable_data_directory_is_refused_at_start(tmp_path):
    """A directory ddbd may not write (another user's, a read-only mount) was accepted: the server
    listened, reported healthy and answered every write with "Internal server error", which the
    SDKs retry for half a minute (issue 56, item 7). It is refused at start, naming the directory."""
    import shutil
    import tempfile
    parent = tempfile.mkdtemp(prefix="ddbd-ro-", dir="/tmp")
    try:
        data = os.path.join(parent, "data")
        os.mkdir(data)
        os.chmod(parent, 0o755)
        os.chmod(data, 0o555)
        cmd = [DDBD_BIN, "--host", "127.0.0.1", "--port", str(free_port()), "--data-dir", data]
        if os.geteuid() == 0:  # root writes anywhere: run as nobody, who may not write a root 0555 directory
            if shutil.which("setpriv") is None:
                pytest.skip("needs setpriv (util-linux) to run as another user")
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
        assert proc.returncode == 1, (proc.returncode, proc.stderr)
        assert "the data directory %s is not writable (Permission denied)" % data in proc.stderr, proc.stderr
        assert "listening" not in proc.stderr
        assert os.listdir(data) == []
    finally:
        os.chmod(os.path.join(parent, "data"), 0o755)
        shutil.rmtree(parent)
