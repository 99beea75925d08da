package paystate

/**
 * A JSON number kept as its exact source text: scenario numbers are never turned into a
 * Double (amounts are strings anyway; whole numbers such as `expires_in` are read from text).
 */
data class JNum(val text: String) {
    override fun toString(): String = text
}

/** JSON null, kept apart from "absent" (the core treats both as absent). */
object JNull {
    override fun toString(): String = "null"
}

/**
 * A small, strict JSON reader and writer for the conformance runner: objects keep member
 * order (LinkedHashMap), numbers keep their text ([JNum]), so a step can be forwarded to the
 * core's own JSON readers (`commandFromJson`, `invoiceSpecFromJson`) exactly as written.
 * Values: Map<String, Any>, List<Any>, String, JNum, Boolean, JNull.
 */
object Json {
    class ParseError(message: String) : Exception(message)

    fun parse(text: String): Any {
        val p = Parser(text)
        p.ws()
        val v = p.value(0)
        p.ws()
        if (p.i != text.length) throw ParseError("trailing characters at offset ${p.i}")
        return v
    }

    fun write(v: Any?): String = StringBuilder().also { write(v, it) }.toString()

    private fun write(v: Any?, out: StringBuilder) {
        when (v) {
            null, JNull -> out.append("null")
            is String -> writeString(v, out)
            is JNum -> out.append(v.text)
            is Boolean -> out.append(if (v) "true" else "false")
            is Map<*, *> -> {
                out.append('{')
                var first = true
                for ((k, x) in v) {
                    if (!first) out.append(',')
                    first = false
                    writeString(k as String, out)
                    out.append(':')
                    write(x, out)
                }
                out.append('}')
            }
            is List<*> -> {
                out.append('[')
                v.forEachIndexed { i, x ->
                    if (i > 0) out.append(',')
                    write(x, out)
                }
                out.append(']')
            }
            else -> throw IllegalArgumentException("not a JSON value: ${v::class}")
        }
    }

    private fun writeString(s: String, out: StringBuilder) {
        out.append('"')
        for (c in s) {
            when {
                c == '"' -> out.append("\\\"")
                c == '\\' -> out.append("\\\\")
                c == '\n' -> out.append("\\n")
                c == '\r' -> out.append("\\r")
                c == '\t' -> out.append("\\t")
                c < ' ' -> out.append(String.format("\\u%04x", c.code))
                else -> out.append(c)
            }
        }
        out.append('"')
    }

    private class Parser(val s: String) {
        var i = 0

        fun ws() {
            while (i < s.length && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++
        }

        fun value(depth: Int): Any {
            if (depth > 128) throw ParseError("nesting too deep")
            if (i >= s.length) throw ParseError("unexpected end")
            return when (val c = s[i]) {
                '{' -> obj(depth)
                '[' -> arr(depth)
                '"' -> str()
                't' -> lit("true", true)
                'f' -> lit("false", false)
                'n' -> lit("null", JNull)
                else -> if (c == '-' || c in '0'..'9') num() else throw ParseError("unexpected '$c' at $i")
            }
        }

        fun lit(word: String, v: Any): Any {
            if (!s.startsWith(word, i)) throw ParseError("bad literal at $i")
            i += word.length
            return v
        }

        fun num(): JNum {
            val start = i
            if (s[i] == '-') i++
            fun digits(): Int {
                val d = i
                while (i < s.length && s[i] in '0'..'9') i++
                return i - d
            }
            if (i < s.length && s[i] == '0') i++ else if (digits() == 0) throw ParseError("bad number at $start")
            if (i < s.length && s[i] == '.') {
                i++
                if (digits() == 0) throw ParseError("bad number at $start")
            }
            if (i < s.length && (s[i] == 'e' || s[i] == 'E')) {
                i++
                if (i < s.length && (s[i] == '+' || s[i] == '-')) i++
                if (digits() == 0) throw ParseError("bad number at $start")
            }
            return JNum(s.substring(start, i))
        }

        fun str(): String {
            i++ // opening quote
            val out = StringBuilder()
            while (true) {
                if (i >= s.length) throw ParseError("unterminated string")
                val c = s[i++]
                when {
                    c == '"' -> return out.toString()
                    c == '\\' -> {
                        if (i >= s.length) throw ParseError("unterminated escape")
                        when (val e = s[i++]) {
                            '"' -> out.append('"')
                            '\\' -> out.append('\\')
                            '/' -> out.append('/')
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000c')
                            'n' -> out.append('\n')
                            'r' -> out.append('\r')
                            't' -> out.append('\t')
                            'u' -> {
                                if (i + 4 > s.length) throw ParseError("bad \\u escape")
                                out.append(s.substring(i, i + 4).toInt(16).toChar())
                                i += 4
                            }
                            else -> throw ParseError("bad escape \\$e")
                        }
                    }
                    c < ' ' -> throw ParseError("control character in string")
                    else -> out.append(c)
                }
            }
        }

        fun obj(depth: Int): Map<String, Any> {
            i++
            val m = LinkedHashMap<String, Any>()
            ws()
            if (i < s.length && s[i] == '}') { i++; return m }
            while (true) {
                ws()
                if (i >= s.length || s[i] != '"') throw ParseError("expected a member name at $i")
                val k = str()
                ws()
                if (i >= s.length || s[i] != ':') throw ParseError("expected ':' at $i")
                i++
                ws()
                m[k] = value(depth + 1)
                ws()
                if (i >= s.length) throw ParseError("unterminated object")
                when (s[i++]) {
                    ',' -> continue
                    '}' -> return m
                    else -> throw ParseError("expected ',' or '}' at ${i - 1}")
                }
            }
        }

        fun arr(depth: Int): List<Any> {
            i++
            val l = ArrayList<Any>()
            ws()
            if (i < s.length && s[i] == ']') { i++; return l }
            while (true) {
                ws()
                l.add(value(depth + 1))
                ws()
                if (i >= s.length) throw ParseError("unterminated array")
                when (s[i++]) {
                    ',' -> continue
                    ']' -> return l
                    else -> throw ParseError("expected ',' or ']' at ${i - 1}")
                }
            }
        }
    }
}

/** The JSON type name of a value, as the core's messages say it. */
fun jsonKind(v: Any?): String = when (v) {
    null, JNull -> "null"
    is Boolean -> "a boolean"
    is JNum -> "a number"
    is String -> "a string"
    is List<*> -> "an array"
    is Map<*, *> -> "an object"
    else -> "something else"
}
