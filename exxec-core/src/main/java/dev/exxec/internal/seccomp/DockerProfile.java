package dev.exxec.internal.seccomp;

import dev.exxec.internal.Json;
import dev.exxec.internal.seccomp.Rule.Allow;
import dev.exxec.internal.seccomp.Rule.AllowIf;
import dev.exxec.internal.seccomp.Rule.ArgumentCondition;
import dev.exxec.internal.seccomp.Rule.Refuse;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Renders a {@link SyscallPolicy} as a Docker seccomp profile (the JSON of moby's
 * {@code profiles/seccomp}, which Docker hands to runc and runc to libseccomp), for {@code
 * HostConfig.SecurityOpt} {@code seccomp=<json>}.
 *
 * <p>System calls are named, not numbered: libseccomp numbers them for the container's architecture,
 * and runc skips a name its libseccomp does not know (a call newer than the host's library is then
 * refused). Only the two architectures exxec compiles for are listed, without their 32-bit companions:
 * libseccomp kills a thread that calls through another ABI, as the BPF program does. A rule whose
 * answer is the default ({@code EPERM}) is left out, since runc drops it as redundant; conditions of
 * one system call become one rule each, which libseccomp takes as alternatives.
 */
public final class DockerProfile {
    private DockerProfile() {}

    /** The profile's JSON text, compact. */
    public static String render(SyscallPolicy policy) {
        List<Map<String, Object>> syscalls = new ArrayList<>();
        for (SyscallGroup g : policy.groups()) {
            switch (g.rule()) {
                case Allow a -> syscalls.add(rule(g, "SCMP_ACT_ALLOW", null, null));
                case AllowIf c -> {
                    for (ArgumentCondition condition : c.anyOf()) {
                        syscalls.add(rule(g, "SCMP_ACT_ALLOW", null, argument(condition)));
                    }
                }
                case Refuse r -> {
                    if (r.errno() != Rule.EPERM) {
                        syscalls.add(rule(g, "SCMP_ACT_ERRNO", r.errno(), null));
                    }
                }
            }
        }
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("defaultAction", "SCMP_ACT_ERRNO");
        profile.put("defaultErrnoRet", Rule.EPERM);
        List<String> architectures = new ArrayList<>();
        for (SeccompArch arch : SeccompArch.values()) {
            architectures.add(arch.docker());
        }
        profile.put("architectures", architectures);
        profile.put("syscalls", syscalls);
        return Json.write(profile);
    }

    private static Map<String, Object> rule(
            SyscallGroup g, String action, @Nullable Integer errno, @Nullable Map<String, Object> argument) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("names", g.names());
        rule.put("action", action);
        if (errno != null) {
            rule.put("errnoRet", errno);
        }
        if (argument != null) {
            rule.put("args", List.of(argument));
        }
        rule.put("comment", g.reason());
        return rule;
    }

    private static Map<String, Object> argument(ArgumentCondition c) {
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("index", c.index());
        if (c.mask() == -1L) {
            arg.put("value", unsigned(c.value()));
            arg.put("op", "SCMP_CMP_EQ");
        } else {
            // libseccomp's masked comparison: "value" is the mask, "valueTwo" what the masked bits equal
            arg.put("value", unsigned(c.mask()));
            arg.put("valueTwo", unsigned(c.value()));
            arg.put("op", "SCMP_CMP_MASKED_EQ");
        }
        return arg;
    }

    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }
}
