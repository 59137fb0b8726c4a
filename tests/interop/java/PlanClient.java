// A Plan's create, get, query and delete through JAX-WS RI stubs that wsimport generated from
// the WSDL the emulator serves. JAX-WS RI has no WS-Security of its own (that is Metro's
// WSIT), so a SOAPHandler adds the UsernameToken as a WS-Security 1.0 client would:
// PasswordText, or PasswordDigest with a Nonce, Created and a wsu:Timestamp.
// Usage: java PlanClient WSDL_URL USER PASSWORD text|digest   Prints one JSON line.
import com.boomi.platform.api.BaseObject;
import com.boomi.platform.api.QueryConfig;
import com.boomi.platform.api.QueryFilter;
import com.boomi.platform.api.SimpleExpression;
import com.boomi.platform.api.apim.Plan;
import com.boomi.platform.api.apim.QuotaLimitUnit;
import com.boomi.platform.api.apim.RateLimitUnit;
import com.boomi.platform.api.apim.soap.BoomiApiVersion1;
import com.boomi.platform.api.apim.soap.BoomiApiVersion1Service;
import java.io.ByteArrayOutputStream;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import javax.xml.namespace.QName;
import javax.xml.soap.SOAPElement;
import javax.xml.soap.SOAPEnvelope;
import javax.xml.soap.SOAPHeader;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.Handler;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.handler.soap.SOAPHandler;
import javax.xml.ws.handler.soap.SOAPMessageContext;
import javax.xml.ws.soap.SOAPFaultException;

public final class PlanClient {
    static final String WSSE =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String WSU =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String PROFILE =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0";
    static final String BASE64 =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

    static final class UsernameTokenHandler implements SOAPHandler<SOAPMessageContext> {
        final String user;
        final String password;
        final boolean digest;
        String lastRequest = "";

        UsernameTokenHandler(String user, String password, boolean digest) {
            this.user = user;
            this.password = password;
            this.digest = digest;
        }

        @Override
        public boolean handleMessage(SOAPMessageContext context) {
            if (!(Boolean) context.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY)) {
                return true;
            }
            try {
                SOAPEnvelope envelope = context.getMessage().getSOAPPart().getEnvelope();
                SOAPHeader header = envelope.getHeader();
                if (header == null) {
                    header = envelope.addHeader();
                }
                SOAPElement security = header.addChildElement("Security", "wsse", WSSE);
                security.addAttribute(
                    new QName(envelope.getNamespaceURI(), "mustUnderstand",
                              envelope.getPrefix()), "1");
                Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                String created = now.toString();
                if (digest) {
                    SOAPElement stamp = security.addChildElement("Timestamp", "wsu", WSU);
                    stamp.addAttribute(new QName(WSU, "Id", "wsu"), "TS-1");
                    stamp.addChildElement("Created", "wsu", WSU).addTextNode(created);
                    stamp.addChildElement("Expires", "wsu", WSU)
                        .addTextNode(now.plusSeconds(300).toString());
                }
                SOAPElement token = security.addChildElement("UsernameToken", "wsse", WSSE);
                token.addAttribute(new QName(WSU, "Id", "wsu"), "UsernameToken-1");
                token.addChildElement("Username", "wsse", WSSE).addTextNode(user);
                SOAPElement pass = token.addChildElement("Password", "wsse", WSSE);
                if (digest) {
                    byte[] nonce = new byte[16];
                    new SecureRandom().nextBytes(nonce);
                    MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
                    sha1.update(nonce);
                    sha1.update(created.getBytes(StandardCharsets.UTF_8));
                    sha1.update(password.getBytes(StandardCharsets.UTF_8));
                    pass.addAttribute(new QName("Type"), PROFILE + "#PasswordDigest");
                    pass.addTextNode(Base64.getEncoder().encodeToString(sha1.digest()));
                    SOAPElement nonceElement = token.addChildElement("Nonce", "wsse", WSSE);
                    nonceElement.addAttribute(new QName("EncodingType"), BASE64);
                    nonceElement.addTextNode(Base64.getEncoder().encodeToString(nonce));
                    token.addChildElement("Created", "wsu", WSU).addTextNode(created);
                } else {
                    pass.addAttribute(new QName("Type"), PROFILE + "#PasswordText");
                    pass.addTextNode(password);
                }
                context.getMessage().saveChanges();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                context.getMessage().writeTo(out);
                lastRequest = out.toString("UTF-8");
            } catch (Exception exc) {
                throw new RuntimeException(exc);
            }
            return true;
        }

        @Override
        public boolean handleFault(SOAPMessageContext context) {
            return true;
        }

        @Override
        public void close(MessageContext context) {}

        @Override
        public Set<QName> getHeaders() {
            return Collections.singleton(new QName(WSSE, "Security"));
        }
    }

    static String json(String value) {
        return value == null ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"")
            .replace("\n", "\\n").replace("\r", "") + "\"";
    }

    public static void main(String[] args) throws Exception {
        String wsdl = args[0];
        String user = args[1];
        String password = args[2];
        boolean digest = "digest".equals(args[3]);
        // The WSDL and its schemas sit behind HTTP Basic auth, as Boomi's do.
        Authenticator.setDefault(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(user, password.toCharArray());
            }
        });
        BoomiApiVersion1 port =
            new BoomiApiVersion1Service(new URL(wsdl)).getBoomiApiVersion1Port();
        BindingProvider provider = (BindingProvider) port;
        provider.getRequestContext().put(
            BindingProvider.ENDPOINT_ADDRESS_PROPERTY, wsdl.substring(0, wsdl.indexOf('?')));
        UsernameTokenHandler handler = new UsernameTokenHandler(user, password, digest);
        @SuppressWarnings("rawtypes")
        List<Handler> chain = new ArrayList<>();
        chain.add(handler);
        provider.getBinding().setHandlerChain(chain);

        String name = "jaxws-" + args[3] + "-plan";
        Plan plan = new Plan();
        plan.setName(name);
        plan.setRateLimit(10L);
        plan.setRateLimitUnit(RateLimitUnit.MINUTE);
        plan.setQuotaLimit(5L);
        plan.setQuotaLimitUnit(QuotaLimitUnit.MONTH);
        Plan created = (Plan) port.create(plan);
        String planId = created.getPlanId();
        Plan got = (Plan) port.get("Plan", planId);

        SimpleExpression expression = new SimpleExpression();
        expression.setOperator("EQUALS");
        expression.setProperty("name");
        expression.getArgument().add(name);
        QueryFilter filter = new QueryFilter();
        filter.setExpression(expression);
        QueryConfig config = new QueryConfig();
        config.setQueryFilter(filter);
        StringBuilder found = new StringBuilder();
        for (BaseObject item : port.query("Plan", config).getResult()) {
            found.append(found.length() == 0 ? "" : ",").append(json(((Plan) item).getPlanId()));
        }
        boolean deleted = port.delete("Plan", planId);
        String afterDelete = null;
        try {
            port.get("Plan", planId);
        } catch (SOAPFaultException fault) {
            afterDelete = fault.getFault().getFaultCode();
        }
        System.out.println("{\"planId\":" + json(planId) + ",\"name\":" + json(got.getName())
            + ",\"status\":" + json(got.getStatus()) + ",\"found\":[" + found + "]"
            + ",\"deleted\":" + deleted + ",\"afterDelete\":" + json(afterDelete)
            + ",\"request\":" + json(handler.lastRequest) + "}");
    }
}
