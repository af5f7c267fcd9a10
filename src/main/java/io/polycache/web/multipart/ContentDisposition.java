package io.polycache.web.multipart;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The parameters of a {@code Content-Disposition: form-data; name="…"; filename="…"} header. */
final class ContentDisposition {
    private ContentDisposition() {}

    static Map<String, String> parameters(String header) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = header.indexOf(';');
        while (i >= 0 && i < header.length()) {
            i++; // past ';'
            int eq = header.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = header.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            int j = eq + 1;
            while (j < header.length() && header.charAt(j) == ' ') {
                j++;
            }
            StringBuilder value = new StringBuilder();
            if (j < header.length() && header.charAt(j) == '"') {
                j++;
                while (j < header.length() && header.charAt(j) != '"') {
                    char c = header.charAt(j);
                    if (c == '\\' && j + 1 < header.length()) {
                        c = header.charAt(++j);
                    }
                    value.append(c);
                    j++;
                }
                j++; // closing quote
                i = header.indexOf(';', j);
            } else {
                int end = header.indexOf(';', j);
                value.append(header, j, end < 0 ? header.length() : end);
                i = end;
            }
            params.putIfAbsent(name, value.toString().trim());
        }
        return params;
    }
}
