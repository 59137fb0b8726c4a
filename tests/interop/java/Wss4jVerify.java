// Processes the wsse:Security header of a SOAP envelope with Apache WSS4J, as a CXF or
// Axis2 service would, and prints one line per processed token:
//   UT <username> <password type>       a UsernameToken whose password matched
//   TS <created> <expires>              a Timestamp inside its window
//   SIGN <local name of each signed element ...>
// Usage: java Wss4jVerify ENVELOPE USER PASSWORD [TRUSTED_CERT_PEM]
// Exit 0 when WSS4J accepts the header, 1 with "REFUSED <reason>" when it does not.
import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSDataRef;
import org.apache.ws.security.WSPasswordCallback;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.WSSecurityEngine;
import org.apache.ws.security.WSSecurityEngineResult;
import org.apache.ws.security.WSSecurityException;
import org.apache.ws.security.components.crypto.Merlin;
import org.apache.ws.security.message.token.Timestamp;
import org.apache.ws.security.message.token.UsernameToken;
import org.w3c.dom.Document;

public final class Wss4jVerify {
    public static void main(String[] args) throws Exception {
        String user = args[1];
        String password = args[2];
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document;
        try (FileInputStream in = new FileInputStream(args[0])) {
            document = factory.newDocumentBuilder().parse(in);
        }
        Merlin crypto = new Merlin();
        if (args.length > 3) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (FileInputStream in = new FileInputStream(args[3])) {
                X509Certificate cert = (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(in);
                trust.setCertificateEntry("signer", cert);
            }
            crypto.setTrustStore(trust);
        }
        CallbackHandler passwords = (Callback[] callbacks) -> {
            for (Callback callback : callbacks) {
                if (callback instanceof WSPasswordCallback) {
                    WSPasswordCallback pc = (WSPasswordCallback) callback;
                    if (user.equals(pc.getIdentifier())) {
                        pc.setPassword(password);
                    }
                }
            }
        };
        WSSConfig config = WSSConfig.getNewInstance();
        config.setTimeStampStrict(true);
        WSSecurityEngine engine = new WSSecurityEngine();
        engine.setWssConfig(config);
        List<WSSecurityEngineResult> results;
        try {
            results = engine.processSecurityHeader(document, null, passwords, crypto);
        } catch (WSSecurityException exc) {
            System.out.println("REFUSED " + exc.getErrorCode() + " " + exc.getMessage());
            System.exit(1);
            return;
        }
        if (results == null) {
            System.out.println("REFUSED no wsse:Security header");
            System.exit(1);
            return;
        }
        for (WSSecurityEngineResult result : results) {
            int action = (Integer) result.get(WSSecurityEngineResult.TAG_ACTION);
            if (action == WSConstants.UT || action == WSConstants.UT_NOPASSWORD) {
                UsernameToken token =
                    (UsernameToken) result.get(WSSecurityEngineResult.TAG_USERNAME_TOKEN);
                String type = token.getPasswordType();
                System.out.println("UT " + token.getName() + " "
                    + (type != null && type.endsWith("#PasswordDigest") ? "digest" : "text"));
            } else if (action == WSConstants.TS) {
                Timestamp ts = (Timestamp) result.get(WSSecurityEngineResult.TAG_TIMESTAMP);
                System.out.println("TS " + ts.getCreated() + " " + ts.getExpires());
            } else if (action == WSConstants.SIGN) {
                StringBuilder line = new StringBuilder("SIGN");
                @SuppressWarnings("unchecked")
                List<WSDataRef> refs =
                    (List<WSDataRef>) result.get(WSSecurityEngineResult.TAG_DATA_REF_URIS);
                for (WSDataRef ref : refs) {
                    line.append(' ').append(ref.getName().getLocalPart());
                }
                System.out.println(line);
            } else {
                System.out.println("OTHER " + action);
            }
        }
    }
}
