"""The Spark standalone cluster's place in the local stack: started only when named, in start
waves after what it needs, and its Thrift Server on the cluster's URL with one executor per worker."""

from __future__ import annotations

from dataplatform.localstack.spark_cluster import CLUSTER_THRIFT_PORT, MASTER_URL, WORKERS
from dataplatform.localstack.stack import SPARK_CLUSTER, LocalStack
from dataplatform.localstack.thriftserver import thrift_server_command


def _stack(tmp_path) -> LocalStack:
    return LocalStack(root=tmp_path)


def test_the_cluster_starts_only_when_named(tmp_path):
    stack = _stack(tmp_path)
    assert stack.cluster_names() == ["spark-master", "spark-worker-1", "spark-worker-2", "thriftserver-cluster"]
    assert not set(stack.cluster_names()) & set(stack.names())
    assert stack.expand([SPARK_CLUSTER, "flume"]) == [*stack.cluster_names(), "flume"]


def test_every_service_is_in_one_start_wave_after_what_it_needs(tmp_path):
    stack = _stack(tmp_path)
    waves = [name for wave in stack.waves for name in wave]
    assert sorted(waves) == sorted(stack.names() + stack.cluster_names())
    wave_of = {name: n for n, wave in enumerate(stack.waves) for name in wave}
    assert wave_of["spark-master"] < wave_of["spark-worker-1"] == wave_of["spark-worker-2"] \
        < wave_of["thriftserver-cluster"]
    assert wave_of["namenode"] < wave_of["thriftserver-cluster"]


def test_the_cluster_thrift_server_takes_one_executor_per_worker_on_its_own_port(tmp_path):
    command = _stack(tmp_path).service("thriftserver-cluster").command()
    assert command[command.index("--master") + 1] == MASTER_URL
    assert command[command.index("--total-executor-cores") + 1] == str(WORKERS)
    assert f"spark.hadoop.hive.server2.thrift.port={CLUSTER_THRIFT_PORT}" in command
    assert command[-1] == "spark-internal"


def test_the_stacks_own_thrift_server_keeps_its_conf_dirs_master_and_port():
    command = thrift_server_command("thriftserver", 4040)
    assert "--master" not in command and "--total-executor-cores" not in command
    assert not any("thrift.port" in part for part in command)
