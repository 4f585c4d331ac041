import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.alias.CredentialProvider;
import org.apache.hadoop.security.alias.CredentialProviderFactory;

/**
 * Stores one secret under an alias in a Hadoop credential provider (a keystore that
 * Configuration.getPassword reads):
 *
 *   StoreCredential PROVIDER_URI ALIAS < secret
 *
 * The secret comes on standard input, never as an argument (arguments are visible to every user
 * of the machine). An existing entry of the alias is replaced.
 */
public final class StoreCredential {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: StoreCredential PROVIDER_URI ALIAS < secret");
      System.exit(2);
    }
    String secret = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
    if (secret.isEmpty()) {
      System.err.println("StoreCredential: no secret on standard input");
      System.exit(2);
    }
    Configuration conf = new Configuration(false);
    conf.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH, args[0]);
    List<CredentialProvider> providers = CredentialProviderFactory.getProviders(conf);
    if (providers.size() != 1) {
      System.err.println("StoreCredential: " + args[0] + " is not one credential provider");
      System.exit(2);
    }
    CredentialProvider provider = providers.get(0);
    if (provider.getCredentialEntry(args[1]) != null) {
      provider.deleteCredentialEntry(args[1]);
    }
    provider.createCredentialEntry(args[1], secret.toCharArray());
    provider.flush();
  }
}
