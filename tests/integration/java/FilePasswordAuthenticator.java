import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import javax.security.sasl.AuthenticationException;

import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * HiveServer2 CUSTOM authentication for the tests (hive.server2.custom.authentication.class): a
 * login is accepted when its password equals the first line of the file named by the environment
 * variable DATAPLATFORM_TEST_HIVE_PASSWORD_FILE. It stands in for an LDAP directory: PyHive sends
 * the user name and password the same way (SASL PLAIN) for LDAP and CUSTOM.
 */
public class FilePasswordAuthenticator implements PasswdAuthenticationProvider {
  @Override
  public void Authenticate(String user, String password) throws AuthenticationException {
    String file = System.getenv("DATAPLATFORM_TEST_HIVE_PASSWORD_FILE");
    try {
      String expected = Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8).get(0);
      if (user == null || user.isEmpty() || !expected.equals(password)) {
        throw new AuthenticationException("wrong user name or password for " + user);
      }
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new AuthenticationException("cannot read the password file", e);
    }
  }
}
