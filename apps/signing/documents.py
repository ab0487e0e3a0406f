"""The agreement PDF: HTML rendered by WeasyPrint with an embedded Noto Sans SC subset
(renders Chinese on a machine with no Chinese font), an anti-counterfeit QR + verification
code on every page, then a PAdES signature with the platform's key (pyHanko), so any
change to the file is detectable. The SHA-256 of the signed file is stored: an uploaded
copy is "genuine and current" only if it hashes to that value."""

from __future__ import annotations

import base64
import hashlib
import io
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.core.loops import outside_event_loop
from apps.core.pdf import platform_font_url as _font_url  # noqa: F401  (kept for importers)
from apps.core.pdf import render_pdf

KEY_DIR = Path(getattr(settings, "PLATFORM_SIGNING_KEY_DIR", settings.VAR_DIR / "signing"))
KEY_FILE = KEY_DIR / "platform-key.pem"
CERT_FILE = KEY_DIR / "platform-cert.pem"


def ensure_platform_keys() -> tuple[Path, Path]:
    """Create the platform's EC P-256 key and a self-signed certificate once (setup)."""
    if KEY_FILE.exists() and CERT_FILE.exists():
        return KEY_FILE, CERT_FILE
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    KEY_DIR.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "大学生就业服务平台"),
        x509.NameAttribute(NameOID.COMMON_NAME, "大学生就业服务平台 协议签章"),
    ])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    tmp_key = KEY_FILE.with_suffix(".tmp")
    tmp_key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    tmp_key.chmod(0o600)
    tmp_key.replace(KEY_FILE)
    CERT_FILE.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return KEY_FILE, CERT_FILE


def verify_url(agreement) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/verify/{agreement.verification_code}"


def loopback_host(base_url: str | None = None) -> str | None:
    """The host of the verification base URL (PLATFORM_PUBLIC_BASE_URL) when only this machine
    can open it: a QR printed with it opens nothing on a phone. None for a reachable address."""
    host = urlsplit(base_url or settings.PUBLIC_BASE_URL).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return host if address.is_loopback or address.is_unspecified else None


def qr_data_uri(text: str, scale: int = 4) -> str:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def render_agreement_pdf(context: dict) -> bytes:
    return render_pdf("signing/agreement_pdf.html", context)


def sign_pdf(data: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key, cert = ensure_platform_keys()
    signer = signers.SimpleSigner.load(str(key), str(cert))
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = io.BytesIO()
    outside_event_loop(
        signers.sign_pdf,
        writer,
        signers.PdfSignatureMetadata(field_name="PlatformSeal", subfilter=fields.SigSeedSubFilter.PADES,
                                     reason="网签协议防伪签章", location="大学生就业服务平台"),
        signer=signer,
        output=out,
    )
    return out.getvalue()


@dataclass(frozen=True)
class PdfCheck:
    signature_intact: bool  # the signed bytes are unchanged and signed by the platform key
    matches_current: bool  # the exact file the platform issued for a current agreement
    agreement: object | None
    message: str


def signature_intact(data: bytes) -> bool:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
        if not sigs:
            return False
        trusted = load_cert_from_pemder(str(ensure_platform_keys()[1]))
        status = outside_event_loop(validate_pdf_signature, sigs[-1], ValidationContext(trust_roots=[trusted]))
        # the signature must cover the whole file: nothing appended after signing
        return bool(status.intact and status.valid and status.trusted and status.coverage.name == "ENTIRE_FILE")
    except Exception:  # noqa: BLE001 - any parse failure means the file cannot be trusted
        return False


def check_uploaded_pdf(data: bytes) -> PdfCheck:
    from apps.signing.models import Agreement, AgreementStatus

    digest = hashlib.sha256(data).hexdigest()
    agreement = Agreement.objects.select_related("employer", "graduate").filter(pdf_sha256=digest).first()
    intact = signature_intact(data)
    if agreement is not None and intact:
        if agreement.status == AgreementStatus.TERMINATED:
            return PdfCheck(True, True, agreement, f"该文件是平台签发的协议书（编号{agreement.number}），但协议已解约，不再有效")
        return PdfCheck(True, True, agreement, f"该文件是平台签发的协议书当前版本（编号{agreement.number}），协议有效")
    if intact:
        return PdfCheck(True, False, None, "签章完整，但不是平台记录中该协议的当前版本，请以验证页显示的信息为准")
    return PdfCheck(False, False, None, "文件已被修改或不是平台签发的协议书")


def agreement_pdf_due(agreement) -> bool:
    """An agreement the school approved (审核通过), still in force, whose PDF is missing."""
    from apps.signing.services import agreement_is_approved

    return not agreement.pdf and agreement_is_approved(agreement)


def agreement_generate_pdf(agreement_id: int) -> bool:
    """Render, sign and store the PDF of an approved agreement (runs as a background task,
    or on demand when someone asks for a missing PDF). Idempotent: with the PDF present, or
    the agreement not (or no longer) approved, it does nothing and returns False.

    Safe to kill at any point: the file goes to a fresh random name and only the final
    conditional UPDATE makes it "the" PDF, so an interrupted run leaves at most an orphan
    file that nothing points to, never a half file that counts as done. Two runs racing:
    the second to finish finds the PDF set, deletes its own file and returns False."""
    from apps.core.files import random_storage_name
    from apps.core.jobs import checkpoint
    from apps.destinations.models import Destination
    from apps.reference.selectors import code_label
    from apps.signing.models import Agreement

    agreement = Agreement.objects.select_related("invitation", "graduate", "graduate__school", "graduate__college",
                                                 "graduate__major", "employer", "invitation__unit_division").get(pk=agreement_id)
    if not agreement_pdf_due(agreement):
        return False
    destination = Destination.objects.select_related("college_reviewed_by", "school_reviewed_by").filter(
        graduate_id=agreement.graduate_id).first()
    inv = agreement.invitation
    context = {
        "agreement": agreement,
        "inv": inv,
        "graduate": agreement.graduate,
        "destination": destination,
        "education_level": code_label("education_level", agreement.graduate.education_level_code, "employment-xldm"),
        "unit_nature": code_label("unit_nature", inv.unit_nature_code),
        "industry": code_label("industry", inv.industry_code),
        "position_category": code_label("position_category", inv.position_category_code),
        "qr": qr_data_uri(verify_url(agreement)),
        "verify_url": verify_url(agreement),
        "generated_at": timezone.now(),
    }
    checkpoint("agreement_pdf")  # tests kill the worker here: mid-job, nothing stored yet
    signed = sign_pdf(render_agreement_pdf(context))
    name = default_storage.save(random_storage_name(f"agreements/{agreement.school_id}", "pdf"), ContentFile(signed))
    claimed = Agreement.objects.filter(pk=agreement.pk, pdf="").update(
        pdf=name, pdf_sha256=hashlib.sha256(signed).hexdigest(), pdf_generated_at=timezone.now())
    if not claimed:  # another run finished first: keep its file, drop ours
        default_storage.delete(name)
        return False
    return True
