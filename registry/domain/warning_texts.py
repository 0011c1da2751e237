"""The words for each verification warning, in English and Chinese, shared by every surface
(the GraphQL answer and the verification page) so they never drift apart."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from registry.domain.verification import VerificationWarning

__all__ = ["WARNING_TEXT"]

# code -> (English, Chinese)
WARNING_TEXT: Mapping[VerificationWarning, tuple[str, str]] = MappingProxyType(
    {
        VerificationWarning.EXPIRES_SOON: (
            "The certificate expires within 30 days.",
            "证书将在30天内到期。",
        ),
        VerificationWarning.ISSUER_SUSPENDED: (
            "The issuing body is suspended now.",
            "发证机构目前处于暂停状态。",
        ),
        VerificationWarning.ISSUER_NOT_ACCREDITED_ON_ISSUE_DATE: (
            "The issuing body held no accreditation for this kind of certificate "
            "on the issue date.",
            "发证之日发证机构不具备此类认证的有效资质。",
        ),
        VerificationWarning.ISSUER_NOT_ACTIVE_ON_ISSUE_DATE: (
            "The issuing body was suspended, revoked or closed on the issue date.",
            "发证之日发证机构处于暂停、撤销或注销状态。",
        ),
        VerificationWarning.OUTSIDE_ACCREDITED_SCOPE: (
            "The certificate's standard lies outside the issuing body's accredited scope.",
            "证书依据的标准不在发证机构的认可范围内。",
        ),
        VerificationWarning.HOLDER_RENAMED: (
            "The holder has changed its name since the certificate was issued.",
            "获证组织自发证以来已更名。",
        ),
        VerificationWarning.SUSPENSION_OVERDUE: (
            "The certificate has been suspended for longer than its family allows; "
            "it should have been restored or withdrawn.",
            "证书暂停期已超过规定期限，应恢复或撤销。",
        ),
    }
)
