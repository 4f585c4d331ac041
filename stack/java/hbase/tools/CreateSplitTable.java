// Creates an HBase table with its column families and split keys, unless it exists. HBase's Thrift1
// API (what happybase speaks) cannot pre-split a table, so the platform creates its serving tables
// with this (dataplatform/localstack/hbase_tools.py compiles it and writes its launcher).
//
// Usage: CreateSplitTable TABLE FAMILY[:TTL_SECONDS] ... [--split KEY ...]
// Prints "created" or "exists"; exit 2 on bad arguments.

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.regionserver.BloomType;

public final class CreateSplitTable {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: CreateSplitTable TABLE FAMILY[:TTL_SECONDS] ... [--split KEY ...]");
      System.exit(2);
    }
    TableName name = TableName.valueOf(args[0]);
    TableDescriptorBuilder table = TableDescriptorBuilder.newBuilder(name);
    List<byte[]> splits = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--split")) {
        splits.add(args[++i].getBytes(StandardCharsets.UTF_8));
        continue;
      }
      String[] spec = args[i].split(":", 2);
      ColumnFamilyDescriptorBuilder family = ColumnFamilyDescriptorBuilder.newBuilder(spec[0].getBytes(StandardCharsets.UTF_8))
          .setMaxVersions(1)
          .setBloomFilterType(BloomType.ROW);  // single-row gets skip files without the row
      if (spec.length == 2) {
        family.setTimeToLive(Integer.parseInt(spec[1]));
      }
      table.setColumnFamily(family.build());
    }
    Configuration conf = HBaseConfiguration.create();
    try (Connection connection = ConnectionFactory.createConnection(conf); Admin admin = connection.getAdmin()) {
      if (admin.tableExists(name)) {
        System.out.println("exists");
        return;
      }
      admin.createTable(table.build(), splits.toArray(new byte[0][]));
      System.out.println("created");
    }
  }
}
