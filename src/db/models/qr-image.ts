import { Schema, type Connection } from 'mongoose';

/** A QR code PNG served at /qr/<token>.png for apps that fetch photos by URL (Zalo). */
const qrImageSchema = new Schema(
  {
    token: { type: String, required: true, unique: true },
    /** What the QR encodes; one image per content, so repeated /link calls reuse it. */
    content: { type: String, required: true, unique: true },
    png: { type: Buffer, required: true },
  },
  { timestamps: true, versionKey: false },
);

export function createQrImageModel(connection: Connection) {
  return connection.model('QrImage', qrImageSchema, 'qr_images');
}
